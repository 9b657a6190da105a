-- Replaces the record of a live session (its attributes changed).
-- KEYS[1] the user's hash (layout in create.lua)
-- ARGV    1 sid, 2 now, 3 max chunks, 4.. record chunks
-- Returns 1 if written, 0 if the session is not live.
local key, sid = KEYS[1], ARGV[1]
local m = redis.call('HGET', key, sid)
if not m then
  return 0
end
local s, b = string.match(m, '^(%a)|%d+|%d+|(%d+)$')
if s ~= 'A' or tonumber(ARGV[2]) >= tonumber(b) then
  return 0
end
local stale = {}
for i = 0, tonumber(ARGV[3]) - 1 do
  stale[#stale + 1] = sid .. '.' .. i
end
redis.call('HDEL', key, unpack(stale))
local writes = {}
for i = 4, #ARGV do
  writes[#writes + 1] = sid .. '.' .. (i - 4)
  writes[#writes + 1] = ARGV[i]
end
redis.call('HSET', key, unpack(writes))
return 1
