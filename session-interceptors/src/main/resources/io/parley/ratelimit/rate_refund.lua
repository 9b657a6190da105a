-- Gives back one permit of a rate limit for one key, taken by rate_limit.lua: the key's theoretical
-- arrival time moves back one interval, as MemoryRateLimiter.refund does; a key whose bucket is then
-- full again is deleted (a missing key is a full bucket), so a refund never adds to the burst.
-- KEYS[1] as in rate_limit.lua
-- ARGV    1 now µs, 2 interval µs (period / permits)
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') - interval
if tat > now then
  redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
else
  redis.call('DEL', KEYS[1])
end
return 0
