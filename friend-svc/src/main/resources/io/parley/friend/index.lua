-- Updates one user's list indexes, atomically. The indexes are hints that readers check against
-- the pair records (pair.lua); every entry carries the pair version it reflects, so that an
-- update based on an older view of the pair never undoes one based on a newer view.
--
-- KEYS (all tagged {<uid>}, one slot): 1 versions hash ("<kind>:<member>" -> pair version),
-- 2 peers hash (request id -> the other user), 3 friends, 4 blocked, 5 incoming, 6 outgoing
-- (sorted sets: member -> epoch ms; members are user ids, or request ids for 5 and 6).
--
-- ARGV: groups of six: op, kind (F, B, I, O), member, score, version, peer ('' unless I or O).
--   P  intent, before a compare-and-set on the pair expecting version-1: add the entry and raise
--      its version to at least `version`, so that nobody who saw the pair at an older version
--      removes it before the change lands.
--   A  the pair at `version` has the entry: add it (or fix its score) unless a newer view exists.
--   R  the pair at `version` lacks the entry: remove it unless a newer view (or intent) exists.
local versions, peers = KEYS[1], KEYS[2]
local zsets = { F = KEYS[3], B = KEYS[4], I = KEYS[5], O = KEYS[6] }

for i = 1, #ARGV, 6 do
  local op, kind, member, score, version, peer =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4]), ARGV[i + 5]
  local zset = zsets[kind]
  local is_request = kind == 'I' or kind == 'O'
  local vfield = kind .. ':' .. member
  local known = tonumber(redis.call('HGET', versions, vfield) or '0')
  if op == 'P' or (op == 'A' and version >= known) then
    redis.call('ZADD', zset, score, member)
    if is_request then
      redis.call('HSET', peers, member, peer)
    end
    if version > known then
      redis.call('HSET', versions, vfield, version)
    end
  elseif op == 'R' and version >= known then
    redis.call('ZREM', zset, member)
    if is_request then
      redis.call('HDEL', peers, member)
    end
    redis.call('HDEL', versions, vfield)
  end
end
return #ARGV / 6
