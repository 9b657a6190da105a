-- Starts a login attempt for one username against a sliding window of failures.
-- The attempt is recorded as a failure up front (a successful login deletes the key), so that
-- concurrent attempts cannot check more passwords than the limit allows.
-- KEYS[1] the username's failures (sorted set: attempt id scored by its time in ms)
-- ARGV    1 now ms, 2 window ms, 3 max failures, 4 attempt id
-- Returns 0 if the attempt may go ahead, else the ms until it may.
local key = KEYS[1]
local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n >= max then
  local oldest = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 0
