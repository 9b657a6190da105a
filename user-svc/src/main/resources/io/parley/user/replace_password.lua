-- Replaces an account's password hash if it is still the expected one.
-- KEYS[1] the account hash
-- ARGV    1 expected hash, 2 new hash
-- Returns 1 if replaced, 0 if the account is gone or its hash changed.
if redis.call('HGET', KEYS[1], 'pw') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'pw', ARGV[2])
return 1
