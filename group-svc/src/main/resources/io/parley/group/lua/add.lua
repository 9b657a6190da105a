-- Adds members: an invitation by an admin or the owner, or a user joining an OPEN group.
-- ARGV 1 'invite' or 'join', 2 actor (the joining user), 3 now, 4... user ids to invite
-- Returns {'OK', number added, (id, join time) of each added, (id, join time) of each invited id
-- that already was a member}, or a refusal. All or nothing.
if not exists() then
  return { 'GROUP_NOT_FOUND' }
end
local now = tonumber(ARGV[3])
local ids = {}
if ARGV[1] == 'join' then
  if role_of(ARGV[2]) then
    return { 'ALREADY_GROUP_MEMBER' }
  end
  if redis.call('HGET', META, 'policy') ~= OPEN then
    return { 'GROUP_INVITE_ONLY' }
  end
  ids[1] = ARGV[2]
else
  local r = role_of(ARGV[2])
  if not r then
    return { not_member() }
  end
  if r < ADMIN then
    return { 'GROUP_ROLE_INSUFFICIENT' }
  end
  for i = 4, #ARGV do
    ids[#ids + 1] = ARGV[i]
  end
end
local fresh, already, seen = {}, {}, {}
for _, uid in ipairs(ids) do
  if not seen[uid] then
    seen[uid] = true
    if role_of(uid) then
      already[#already + 1] = uid
    else
      fresh[#fresh + 1] = uid
    end
  end
end
local max = redis.call('HGET', META, 'max')
if redis.call('ZCARD', JOINED) + #fresh > tonumber(max) then
  return { 'GROUP_FULL', max }
end
local out = { 'OK', tostring(#fresh) }
for _, uid in ipairs(fresh) do
  out[#out + 1] = uid
  out[#out + 1] = add_member(uid, MEMBER, now)
end
for _, uid in ipairs(already) do
  out[#out + 1] = uid
  out[#out + 1] = redis.call('ZSCORE', JOINED, uid)
end
return out
