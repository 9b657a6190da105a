-- Drops a group from a user's index if its entry still has the expected score, i.e. belongs to
-- the membership (or the pending join) the caller is cleaning up after, not to a newer one.
-- KEYS[1] the user's index; ARGV 1 group id, 2 expected score
-- Returns 1 if the entry was dropped, else 0.
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
