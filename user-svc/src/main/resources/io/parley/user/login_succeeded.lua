-- A login attempt succeeded: forget the username's failures from the address, and take the
-- attempt back from the address's failures.
-- KEYS[1] the username's failures from the address, KEYS[2] the address's failures
-- ARGV    1 the attempt id
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 0
