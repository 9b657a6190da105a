-- Records that a live session was in use at a given time, sliding its idle expiry from then.
-- Leaves alone ended sessions, sessions expired at that time, and sessions whose recorded activity
-- is less than a step older (activity is recorded coarsely; another replica may have just done it).
-- KEYS[1] the user's hash (layout in create.lua)
-- ARGV    1 sid, 2 at (ms), 3 new expiresAt, 4 retention ms, 5 step ms (at least 1)
-- Returns the meta after the call, or nil if the session is unknown.
local key, sid = KEYS[1], ARGV[1]
local m = redis.call('HGET', key, sid)
if not m then
  return false
end
local at = tonumber(ARGV[2])
local s, t, a, b = string.match(m, '^(%a)|(%d+)|(%d+)|(%d+)$')
if s ~= 'A' or at >= tonumber(b) or at - tonumber(a) < tonumber(ARGV[5]) then
  return m
end
local nm = 'A|' .. t .. '|' .. ARGV[2] .. '|' .. ARGV[3]
redis.call('HSET', key, sid, nm)
local need = tonumber(ARGV[3]) + tonumber(ARGV[4]) - at
if redis.call('PTTL', key) < need then
  redis.call('PEXPIRE', key, need)
end
return nm
