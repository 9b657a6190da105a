-- Reads the next entries of one user's list index, newest first (score descending, then member
-- descending), after a cursor.
--
-- KEYS 1 the sorted set, 2 the user's peers hash (same slot)
-- ARGV 1 the cursor's score ('+inf' for the first page), 2 the cursor's member ('' for the first
-- page), 3 how many entries, 4 '1' to add each entry's peer (request lists)
-- Returns a flat list: member, score[, peer], ...
--
-- Members are ids of [0-9a-z], for which Lua's string order (strcoll, in any locale Redis runs
-- with) is the byte order Redis uses to sort members of equal score.
local zset, peers = KEYS[1], KEYS[2]
local max, after, count, with_peers = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local max_score = tonumber(max)
local out, found, offset = {}, 0, 0

while found < count do
  local batch = redis.call('ZREVRANGEBYSCORE', zset, max, '-inf', 'WITHSCORES', 'LIMIT', offset, count)
  local size = #batch / 2
  for i = 1, #batch, 2 do
    local member, score = batch[i], batch[i + 1]
    -- Entries tied with the cursor's score come after it only if their member sorts before it.
    if after == '' or tonumber(score) < max_score or member < after then
      out[#out + 1] = member
      out[#out + 1] = score
      if with_peers then
        out[#out + 1] = redis.call('HGET', peers, member) or ''
      end
      found = found + 1
      if found == count then
        break
      end
    end
  end
  if size < count then
    break
  end
  offset = offset + size
end
return out
