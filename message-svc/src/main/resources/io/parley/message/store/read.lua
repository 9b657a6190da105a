-- Reads a range of a conversation's visible messages.
-- KEYS[1] meta   KEYS[2] msgs   KEYS[3] times
-- ARGV    1 'after' or 'before', 2 anchor seq, 3 limit, 4 floor seq, 5 cutoff time ms (older is
--         expired)
-- Returns {last seq, has more (0 or 1), message...}: ascending after, descending before.
local meta = redis.call('HMGET', KEYS[1], 'last', 'first')
local last = tonumber(meta[1] or '0')
local lowest = math.max(tonumber(meta[2] or '1'), tonumber(ARGV[4]))
local alive = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[5], '+inf', 'LIMIT', 0, 1)
lowest = math.max(lowest, alive[1] and tonumber(alive[1]) or last + 1)

local anchor, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local fields = {}
local more
if ARGV[1] == 'after' then
  local from = math.max(anchor + 1, lowest)
  local to = math.min(from + limit - 1, last)
  for s = from, to do
    fields[#fields + 1] = string.format('%d', s)
  end
  more = to < last
else
  local to = math.min(anchor - 1, last)
  local from = math.max(to - limit + 1, lowest)
  for s = to, from, -1 do
    fields[#fields + 1] = string.format('%d', s)
  end
  more = #fields > 0 and from > lowest
end

local out = {last, more and 1 or 0}
if #fields > 0 then
  local values = redis.call('HMGET', KEYS[2], unpack(fields))
  for i = 1, #fields do
    if values[i] then
      out[#out + 1] = values[i]
    end
  end
end
return out
