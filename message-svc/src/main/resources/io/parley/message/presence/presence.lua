-- One user's presence, on one key (a hash), so that it runs on Redis Cluster:
--   "d:<session>/<replica>" -> "<terminal>:<online since>:<last renewal>:<lease expiry>" (ms)
--   "seen"                  -> when the user's last device went offline (ms)
--   "v"                     -> the version: one more with every change of the devices
-- KEYS[1]: the user's hash. ARGV[1]: the operation, ARGV[2]: the device field, ARGV[3]: now (ms),
-- ARGV[4]: the key's time to live (ms, renewed by every write), then the operation's arguments.
-- Returns {status, the hash after the operation (HGETALL)}; statuses below.
local key, op, field, now, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]

local function device_count()
  local n = 0
  for _, name in ipairs(redis.call('HKEYS', key)) do
    if string.sub(name, 1, 2) == 'd:' then
      n = n + 1
    end
  end
  return n
end

local status
if op == 'connect' then
  -- ARGV[5]: terminal, ARGV[6]: lease expiry. Status: the devices held before.
  status = device_count()
  local since = now
  local old = redis.call('HGET', key, field)
  if old then
    since = string.match(old, '^%d+:(%d+):')
  end
  redis.call('HSET', key, field, ARGV[5] .. ':' .. since .. ':' .. now .. ':' .. ARGV[6])
  redis.call('HINCRBY', key, 'v', 1)
elseif op == 'renew' then
  -- ARGV[5]: lease expiry. Status: 1 if renewed, 0 if the device is not held (nothing returned).
  local old = redis.call('HGET', key, field)
  if not old then
    return {0}
  end
  local terminal, since = string.match(old, '^(%d+):(%d+):')
  redis.call('HSET', key, field, terminal .. ':' .. since .. ':' .. now .. ':' .. ARGV[5])
  redis.call('PEXPIRE', key, ttl)
  return {1}
elseif op == 'disconnect' or op == 'expire' then
  -- Status: 0 if the device is not held; 1 if removed, 2 if it was the last; for 'expire', 3 if its
  -- lease was renewed meanwhile (then the third element is its expiry), and the device stays.
  local old = redis.call('HGET', key, field)
  if not old then
    return {0}
  end
  local renewed, expires = string.match(old, ':(%d+):(%d+)$')
  if op == 'expire' and tonumber(expires) >= tonumber(now) then
    return {3, {}, expires}
  end
  redis.call('HDEL', key, field)
  redis.call('HINCRBY', key, 'v', 1)
  status = 1
  if device_count() == 0 then
    status = 2
    redis.call('HSET', key, 'seen', op == 'expire' and renewed or now)
  end
else
  return redis.error_reply('unknown presence operation ' .. tostring(op))
end
redis.call('PEXPIRE', key, ttl)
return {status, redis.call('HGETALL', key)}
