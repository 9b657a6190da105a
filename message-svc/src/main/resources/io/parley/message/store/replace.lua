-- Replaces a stored message (a recall) if it still is what the caller read, and announces it.
-- KEYS[1] msgs
-- ARGV    1 seq, 2 expected message, 3 replacement, 4 event channel, 5 event (header and Event)
-- Returns 1 if replaced, else the message now stored (false if gone).
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current ~= ARGV[2] then
  return current
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
