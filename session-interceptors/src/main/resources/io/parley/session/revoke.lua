-- Revokes live sessions of a user and announces each on the event channel.
-- KEYS[1] the user's hash (layout in create.lua), KEYS[2] the change counter of its slot
-- ARGV    1 mode ('one' or 'all-but'), 2 sid (the one to revoke, or the one to keep; may be
--         empty), 3 now, 4 retention ms, 5 event channel, 6 user id, 7 max chunks, 8 publish
--         command (as in create.lua)
-- Returns the revoked session ids.
local key = KEYS[1]
local mode, target = ARGV[1], ARGV[2]
local now, retention = tonumber(ARGV[3]), tonumber(ARGV[4])
local channel, uid = ARGV[5], ARGV[6]
local max_chunks = tonumber(ARGV[7])
local publish = ARGV[8]
local counter = KEYS[2]
local revoked = {}

local function revoke_if_live(osid, m)
  local s, t, a, b = string.match(m, '^(%a)|(%d+)|(%d+)|(%d+)$')
  if s == 'A' and now < tonumber(b) then
    local chunks = {}
    for i = 0, max_chunks - 1 do
      chunks[#chunks + 1] = osid .. '.' .. i
    end
    redis.call('HDEL', key, unpack(chunks))
    redis.call('HSET', key, osid, 'R|' .. t .. '|' .. now .. '|' .. (now + retention))
    announce(counter, publish, channel, uid, osid, 'R')
    revoked[#revoked + 1] = osid
  end
end

if mode == 'one' then
  local m = redis.call('HGET', key, target)
  if m then
    revoke_if_live(target, m)
  end
else
  local fields = redis.call('HGETALL', key)
  for i = 1, #fields, 2 do
    local osid = fields[i]
    if osid ~= target and not string.find(osid, '.', 1, true) then
      revoke_if_live(osid, fields[i + 1])
    end
  end
end

if #revoked > 0 and redis.call('PTTL', key) < retention then
  redis.call('PEXPIRE', key, retention)
end
return revoked
