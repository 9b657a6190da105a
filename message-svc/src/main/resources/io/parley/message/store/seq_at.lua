-- The seq of the first retained message at or after a time, or the last seq + 1.
-- KEYS[1] meta   KEYS[2] times
-- ARGV    1 time ms
local hit = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[1], '+inf', 'LIMIT', 0, 1)
if hit[1] then
  return tonumber(hit[1])
end
return tonumber(redis.call('HGET', KEYS[1], 'last') or '0') + 1
