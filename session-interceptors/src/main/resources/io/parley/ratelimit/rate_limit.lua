-- Takes one permit of a rate limit for one key: the generic cell rate algorithm, as
-- MemoryRateLimiter computes it. Times are whole microseconds (exact in Lua's doubles).
-- KEYS[1] the theoretical arrival time of the key's next call (epoch µs)
-- ARGV    1 now µs, 2 interval µs (period / permits), 3 capacity µs (interval * burst)
-- Returns 0 if the call may go ahead (and counts it), else the ms until it may (counting nothing).
local now, interval, capacity = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then
  tat = now
end
local early = tat + interval - capacity - now
if early > 0 then
  return math.ceil(early / 1000)
end
tat = tat + interval
-- Kept a second past the time its bucket is full again, which absorbs the clocks of replicas that differ.
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return 0
