-- Stores a new session and kicks what the terminal policy replaces, atomically.
--
-- Layout: one hash per user, so that every key of a user shares a hash slot. For each session:
--   <sid>      meta "S|T|A|B", which the scripts read:
--              ACTIVE     A|terminal|lastAccessMs|expiresAtMs
--              KICKED     K|terminal|endedAtMs|purgeAtMs
--              REVOKED    R|terminal|endedAtMs|purgeAtMs
--   <sid>.<i>  the record (protobuf or JSON) in chunks of at most 60 bytes, while ACTIVE. Small
--              values keep the hash in Redis's compact listpack encoding under the default
--              hash-max-listpack-value (64), which halves the memory a session costs.
-- Session ids never contain '.', so a field is a chunk exactly when it does.
-- An ACTIVE session past expiresAt is expired: its record is dropped and its meta kept until
-- expiresAt + retention, so that its token fails SESSION_EXPIRED; then it is purged.
--
-- KEYS[1] the user's hash, KEYS[2] the change counter of its slot (see RedisSessionEvents)
-- ARGV    1 sid, 2 terminal, 3 now, 4 expiresAt, 5 policy (T=per terminal, S=single,
--         U=unlimited), 6 retention ms, 7 max live sessions, 8 event channel, 9 user id,
--         10 max chunks, 11 publish command (PUBLISH, or SPUBLISH to a channel in this key's slot
--         on a Cluster), 12.. record chunks
-- Returns the kicked session ids.
local key = KEYS[1]
local sid, term = ARGV[1], ARGV[2]
local now, expires = tonumber(ARGV[3]), tonumber(ARGV[4])
local policy, retention, cap = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local channel, uid = ARGV[8], ARGV[9]
local max_chunks = tonumber(ARGV[10])
local publish = ARGV[11]
local counter = KEYS[2]

local function drop_record(osid)
  local fields = {}
  for i = 0, max_chunks - 1 do
    fields[#fields + 1] = osid .. '.' .. i
  end
  redis.call('HDEL', key, unpack(fields))
end

local keep_until = expires + retention
local live, kicked = {}, {}

local function kick(osid, t)
  drop_record(osid)
  redis.call('HSET', key, osid, 'K|' .. t .. '|' .. now .. '|' .. (now + retention))
  announce(counter, publish, channel, uid, osid, 'K')
  kicked[#kicked + 1] = osid
end

local fields = redis.call('HGETALL', key)
for i = 1, #fields, 2 do
  local osid = fields[i]
  if not string.find(osid, '.', 1, true) then
    local s, t, a, b = string.match(fields[i + 1], '^(%a)|(%d+)|(%d+)|(%d+)$')
    a, b = tonumber(a), tonumber(b)
    if s == 'A' and now < b then
      if policy == 'S' or (policy == 'T' and t == term) then
        kick(osid, t)
      else
        live[#live + 1] = { osid, t, a }
        keep_until = math.max(keep_until, b + retention)
      end
    elseif s ~= nil then
      local purge_at = (s == 'A') and (b + retention) or b
      if s == 'A' then
        drop_record(osid)
      end
      if now >= purge_at then
        redis.call('HDEL', key, osid)
      else
        keep_until = math.max(keep_until, purge_at)
      end
    end
  end
end

-- Beyond the cap, the least recently active sessions go.
if #live >= cap then
  table.sort(live, function(x, y) return x[3] < y[3] end)
  for i = 1, #live - cap + 1 do
    kick(live[i][1], live[i][2])
  end
end

local writes = { sid, 'A|' .. term .. '|' .. now .. '|' .. expires }
for i = 12, #ARGV do
  writes[#writes + 1] = sid .. '.' .. (i - 12)
  writes[#writes + 1] = ARGV[i]
end
redis.call('HSET', key, unpack(writes))
redis.call('PEXPIRE', key, keep_until - now)
return kicked
