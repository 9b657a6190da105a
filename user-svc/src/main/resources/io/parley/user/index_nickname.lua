-- Points a user's nickname index entry at a new member, unless a newer revision is already there.
-- Racing updates of one user may reach the index in any order; the revision (the account's, bumped
-- by every profile update) makes the index converge on the latest one.
-- KEYS[1] the nickname index (sorted set, every score 0, ordered by member)
-- KEYS[2] the index's owner hash: user id -> "<revision> <member>"
-- ARGV    1 user id, 2 revision, 3 member, or '' to drop the user from the index
-- Returns 1 if the index changed, 0 if a newer revision was there.
local uid, rev, member = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local current = redis.call('HGET', KEYS[2], uid)
if current then
  local sp = string.find(current, ' ', 1, true)
  if member ~= '' and tonumber(string.sub(current, 1, sp - 1)) >= rev then
    return 0
  end
  redis.call('ZREM', KEYS[1], string.sub(current, sp + 1))
end
if member == '' then
  redis.call('HDEL', KEYS[2], uid)
  return 1
end
redis.call('ZADD', KEYS[1], 0, member)
redis.call('HSET', KEYS[2], uid, rev .. ' ' .. member)
return 1
