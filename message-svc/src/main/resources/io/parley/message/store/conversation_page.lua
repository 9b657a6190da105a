-- A page of a user's private conversations, newest activity first, ties by id descending.
-- KEYS[1] the user's conversation index (zset: conversation id by activity ms)
-- ARGV    1 cursor activity ('+inf' for the first page), 2 cursor conversation id ('' for the
--         first page), 3 limit
-- Returns {id, activity, id, activity, ...} of the entries after the cursor.
local max, cursor, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ties = 0
if cursor ~= '' then
  ties = redis.call('ZCOUNT', KEYS[1], max, max)
end
local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + ties)
local out = {}
for i = 1, #rows, 2 do
  if #out >= 2 * limit then
    break
  end
  local id, score = rows[i], rows[i + 1]
  if cursor == '' or tonumber(score) < tonumber(max) or id < cursor then
    out[#out + 1] = id
    out[#out + 1] = score
  end
end
return out
