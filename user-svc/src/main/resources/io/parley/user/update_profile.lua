-- Sets profile fields of an existing account and bumps its revision, atomically.
-- KEYS[1] the account hash
-- ARGV    field, value, ... (nickname, avatar_url, bio; possibly none)
-- Returns the account hash after the change (HGETALL), or nil if there is no account.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
if #ARGV > 0 then
  redis.call('HSET', KEYS[1], unpack(ARGV))
end
redis.call('HINCRBY', KEYS[1], 'rev', 1)
return redis.call('HGETALL', KEYS[1])
