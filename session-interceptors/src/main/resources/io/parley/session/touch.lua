-- Slides a live session's idle expiry. Leaves ended and expired sessions alone.
-- KEYS[1] the user's hash (layout in create.lua)
-- ARGV    1 sid, 2 now, 3 new expiresAt, 4 retention ms
-- Returns the meta after the call, or nil if the session is unknown.
local key, sid = KEYS[1], ARGV[1]
local m = redis.call('HGET', key, sid)
if not m then
  return false
end
local now = tonumber(ARGV[2])
local s, t, a, b = string.match(m, '^(%a)|(%d+)|(%d+)|(%d+)$')
if s ~= 'A' or now >= tonumber(b) or tonumber(a) >= now then
  return m
end
local nm = 'A|' .. t .. '|' .. ARGV[2] .. '|' .. ARGV[3]
redis.call('HSET', key, sid, nm)
local need = tonumber(ARGV[3]) + tonumber(ARGV[4]) - now
if redis.call('PTTL', key) < need then
  redis.call('PEXPIRE', key, need)
end
return nm
