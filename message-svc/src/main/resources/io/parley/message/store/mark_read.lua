-- Moves a user's read seq forward (never backwards), clamped to the last seq.
-- KEYS[1] meta   KEYS[2] times   KEYS[3] read   KEYS[4] own (the user's)
-- ARGV    1 user id, 2 seq, 3 floor seq, 4 cutoff time ms
-- Returns {effective read seq, last seq, unread count, advanced (0 or 1)}.
local meta = redis.call('HMGET', KEYS[1], 'last', 'first')
local last = tonumber(meta[1] or '0')
local lowest = math.max(tonumber(meta[2] or '1'), tonumber(ARGV[3]))
local alive = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[4], '+inf', 'LIMIT', 0, 1)
lowest = math.max(lowest, alive[1] and tonumber(alive[1]) or last + 1)

local stored = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
local target = math.min(tonumber(ARGV[2]), last)
local advanced = 0
if target > stored then
  stored = target
  advanced = 1
  redis.call('HSET', KEYS[3], ARGV[1], string.format('%d', stored))
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', string.format('%d', stored))
end
local read = math.min(math.max(stored, lowest - 1), last)
local own = redis.call('ZCOUNT', KEYS[4], '(' .. string.format('%d', read), '+inf')
return {read, last, math.max(last - read - own, 0), advanced}
