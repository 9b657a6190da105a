-- One conversation as one user sees it.
-- KEYS[1] meta   KEYS[2] msgs   KEYS[3] times   KEYS[4] read   KEYS[5] own (the user's)
-- ARGV    1 user id, 2 floor seq, 3 cutoff time ms
-- Returns {last seq, last time, effective read seq, unread count, last message or false}.
local meta = redis.call('HMGET', KEYS[1], 'last', 'time', 'first')
local last = tonumber(meta[1] or '0')
local lowest = math.max(tonumber(meta[3] or '1'), tonumber(ARGV[2]))
local alive = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[3], '+inf', 'LIMIT', 0, 1)
lowest = math.max(lowest, alive[1] and tonumber(alive[1]) or last + 1)

local read = math.min(math.max(tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0'), lowest - 1), last)
local own = redis.call('ZCOUNT', KEYS[5], '(' .. string.format('%d', read), '+inf')
local unread = math.max(last - read - own, 0)
local message = false
if last >= lowest and last > 0 then
  message = redis.call('HGET', KEYS[2], string.format('%d', last))
end
return {last, tonumber(meta[2] or '0'), read, unread, message}
