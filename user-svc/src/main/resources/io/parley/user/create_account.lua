-- Writes a new account hash, unless the key exists (a user id collision, which ids make
-- practically impossible; refusing keeps an existing account intact all the same).
-- KEYS[1] the account hash
-- ARGV    field, value, field, value, ...
-- Returns 1 if written, 0 if the key existed.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
