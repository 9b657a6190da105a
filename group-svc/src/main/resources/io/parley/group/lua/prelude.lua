-- Shared by every group script; each script is this prelude followed by its own body.
--
-- A group's keys share the hash tag {<groupId>}, so that every script runs on one node of a
-- Redis Cluster and sees the group atomically:
--   KEYS[1] meta    hash: name notice avatar policy owner max created updated lastjoin
--                   (policy is the JoinPolicy number, times are epoch ms)
--   KEYS[2] joined  sorted set: member id -> join time (ms). Join times are distinct and grow in
--                   join order, so ZCARD is the member count and the scores are the page cursor.
--   KEYS[3] roles   hash: member id -> 1 member, 2 admin, 3 owner; same ids as joined
--   KEYS[4] muted   hash: member id -> muted until (ms); an entry in the past means nothing
--
-- Scripts answer a table whose first element is 'OK' or the name of the ErrorReason that
-- refuses the change; a refusal writes nothing. Numbers go back as strings.
local META, JOINED, ROLES, MUTED = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local MEMBER, ADMIN, OWNER = 1, 2, 3
local OPEN = '1'

local function exists()
  return redis.call('EXISTS', META) == 1
end

-- The role of uid, or nil if uid is not a member.
local function role_of(uid)
  local r = redis.call('HGET', ROLES, uid)
  if r then
    return tonumber(r)
  end
  return nil
end

-- The refusal for a caller who is not a member: only an OPEN group admits that it exists.
local function not_member()
  if redis.call('HGET', META, 'policy') == OPEN then
    return 'NOT_GROUP_MEMBER'
  end
  return 'GROUP_NOT_FOUND'
end

-- The role of the acting member, or nil and the refusal.
local function actor(uid)
  if not exists() then
    return nil, 'GROUP_NOT_FOUND'
  end
  local r = role_of(uid)
  if not r then
    return nil, not_member()
  end
  return r
end

-- A join time for a new member: now, or one ms after the last join if that is not earlier.
local function next_join(now)
  local last = tonumber(redis.call('HGET', META, 'lastjoin') or '0')
  local t = string.format('%d', math.max(now, last + 1))
  redis.call('HSET', META, 'lastjoin', t)
  return t
end

local function add_member(uid, role, now)
  local t = next_join(now)
  redis.call('ZADD', JOINED, t, uid)
  redis.call('HSET', ROLES, uid, tostring(role))
  return t
end

-- {name, notice, avatar, policy, owner, max, created, updated, member count}
local function group_view()
  local g = redis.call('HMGET', META, 'name', 'notice', 'avatar', 'policy', 'owner', 'max', 'created', 'updated')
  g[9] = tostring(redis.call('ZCARD', JOINED))
  return g
end

-- The mute of uid if it lasts beyond now, else ''.
local function mute_of(uid, now)
  local m = redis.call('HGET', MUTED, uid)
  if m and tonumber(m) > now then
    return m
  end
  return ''
end

-- {role, join time, mute until or ''} of member uid.
local function member_view(uid, now)
  return { redis.call('HGET', ROLES, uid), redis.call('ZSCORE', JOINED, uid), mute_of(uid, now) }
end

-- t with 'OK' in front.
local function ok(t)
  table.insert(t, 1, 'OK')
  return t
end
