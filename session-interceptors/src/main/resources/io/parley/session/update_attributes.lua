-- Replaces the record of a live session if it is still the one the caller read (compare and set),
-- so that concurrent attribute changes on different replicas are never lost, and announces the
-- change, so that every replica's cache reads the session again.
-- KEYS[1] the user's hash (layout in create.lua), KEYS[2] the change counter of its slot
-- ARGV    1 sid, 2 now, 3 max chunks, 4 event channel, 5 user id, 6 publish command (as in
--         create.lua), 7 the record as read (its chunks joined), 8.. new chunks
-- Returns 1 if written, 0 if the session is not live, -1 if the record changed since it was read.
local key, sid = KEYS[1], ARGV[1]
local counter, channel, uid, publish = KEYS[2], ARGV[4], ARGV[5], ARGV[6]
local m = redis.call('HGET', key, sid)
if not m then
  return 0
end
local s, b = string.match(m, '^(%a)|%d+|%d+|(%d+)$')
if s ~= 'A' or tonumber(ARGV[2]) >= tonumber(b) then
  return 0
end
local max_chunks = tonumber(ARGV[3])
local fields = {}
for i = 0, max_chunks - 1 do
  fields[#fields + 1] = sid .. '.' .. i
end
local current = redis.call('HMGET', key, unpack(fields))
local parts = {}
for i = 1, #current do
  if not current[i] then
    break
  end
  parts[#parts + 1] = current[i]
end
if table.concat(parts) ~= ARGV[7] then
  return -1
end
redis.call('HDEL', key, unpack(fields))
local writes = {}
for i = 8, #ARGV do
  writes[#writes + 1] = sid .. '.' .. (i - 8)
  writes[#writes + 1] = ARGV[i]
end
redis.call('HSET', key, unpack(writes))
announce(counter, publish, channel, uid, sid, 'U')
return 1
