-- Appends one message to a conversation, atomically: idempotency check, seq and server time,
-- storage, the sender's read state, retention, and the live event. Every key shares the
-- conversation's hash tag.
-- KEYS[1] meta (hash: last, time, first)   KEYS[2] msgs (hash: seq -> Message)
-- KEYS[3] times (zset: seq by server time) KEYS[4] idem (string "<seq>:<time>:<message id>")
-- KEYS[5] read (hash: user -> read seq)    KEYS[6] own (zset: the sender's own seqs past its read seq)
-- ARGV    1 Message without seq and server_time (protobuf), 2 message id, 3 sender id, 4 now ms,
--         5 max count, 6 max age ms, 7 idempotency ttl ms, 8 event channel, 9 event header
-- Returns {0, seq, time} for a new message, {1, seq, time, message id} for a repeated send.
local function int(n)
  return string.format('%d', n)
end

-- protobuf varint of a non-negative integer below 2^53
local function varint(n)
  local out = {}
  while n >= 128 do
    out[#out + 1] = string.char(n % 128 + 128)
    n = math.floor(n / 128)
  end
  out[#out + 1] = string.char(n)
  return table.concat(out)
end

-- a length-delimited protobuf field; tag = field number * 8 + 2 (below 128)
local function delimited(tag, payload)
  return string.char(tag) .. varint(#payload) .. payload
end

local earlier = redis.call('GET', KEYS[4])
if earlier then
  local seq, time, id = string.match(earlier, '^(%d+):(%d+):(.+)$')
  return {1, tonumber(seq), tonumber(time), id}
end

local meta = redis.call('HMGET', KEYS[1], 'last', 'time', 'first')
local seq = tonumber(meta[1] or '0') + 1
local time = math.max(tonumber(ARGV[4]), tonumber(meta[2] or '0'))
local first = tonumber(meta[3] or '1')
if redis.call('EXISTS', KEYS[3]) == 0 then
  -- new, or silent for max age and dropped: nothing older than this message is retained
  first = seq
end
local max_count, max_age = tonumber(ARGV[5]), tonumber(ARGV[6])

-- google.protobuf.Timestamp{seconds = 1, nanos = 2}
local timestamp = '\8' .. varint(math.floor(time / 1000))
if time % 1000 > 0 then
  timestamp = timestamp .. '\16' .. varint((time % 1000) * 1000000)
end
-- Message{seq = 3 (varint, tag 24), server_time = 9 (tag 74)}: appended fields parse as set
local message = ARGV[1] .. '\24' .. varint(seq) .. delimited(74, timestamp)

redis.call('HSET', KEYS[2], int(seq), message)
redis.call('ZADD', KEYS[3], int(time), int(seq))
redis.call('SET', KEYS[4], int(seq) .. ':' .. int(time) .. ':' .. ARGV[2], 'PX', ARGV[7])

-- A sender who had read everything before has read this too; otherwise it is remembered as
-- theirs, so that it never counts as unread for them.
local sender = ARGV[3]
local read = tonumber(redis.call('HGET', KEYS[5], sender) or '0')
if read == seq - 1 then
  redis.call('HSET', KEYS[5], sender, int(seq))
else
  redis.call('ZADD', KEYS[6], int(seq), int(seq))
  redis.call('PEXPIRE', KEYS[6], ARGV[6])
end

-- Retention, a bounded amount of work per append.
local trimmed = 0
while seq - first + 1 > max_count and trimmed < 100 do
  redis.call('HDEL', KEYS[2], int(first))
  redis.call('ZREM', KEYS[3], int(first))
  first = first + 1
  trimmed = trimmed + 1
end
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. int(time - max_age), 'LIMIT', 0, 100)
for _, old in ipairs(expired) do
  redis.call('HDEL', KEYS[2], old)
  redis.call('ZREM', KEYS[3], old)
  first = math.max(first, tonumber(old) + 1)
end
if first > 1 then
  redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. int(first))
end
redis.call('HSET', KEYS[1], 'last', int(seq), 'time', int(time), 'first', int(first))
-- A conversation silent for max age has nothing left to show: let Redis drop its messages.
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PEXPIRE', KEYS[3], ARGV[6])

-- parley.message.v1.Event{time = 1 (tag 10), message = 3 (tag 26)}
redis.call('PUBLISH', ARGV[8], ARGV[9] .. delimited(10, timestamp) .. delimited(26, message))
return {0, seq, time}
