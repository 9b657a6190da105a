-- Starts a login attempt against two sliding windows of failures: the username's from the client
-- address, and the address's for any username. The attempt is recorded as a failure of both up
-- front (login_succeeded.lua takes it back), so that concurrent attempts cannot check more
-- passwords than the limits allow.
-- KEYS[1] the username's failures from the address, KEYS[2] the address's failures
--         (sorted sets: attempt id scored by its time in ms; one hash slot, tagged by the address)
-- ARGV    1 now ms, 2 window ms, 3 max failures of the username, 4 max failures of the address,
--         5 attempt id
-- Returns {0, 0} if the attempt may go ahead, else {1 or 2 (which key stops it), ms until it may}.
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])

local function wait(key, max)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n < max then
    return 0
  end
  local oldest = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end

for i, max in ipairs({tonumber(ARGV[3]), tonumber(ARGV[4])}) do
  local ms = wait(KEYS[i], max)
  if ms > 0 then
    return {i, ms}
  end
end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[5])
  redis.call('PEXPIRE', KEYS[i], window)
end
return {0, 0}
