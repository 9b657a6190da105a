-- Makes another member the owner; the old owner becomes an admin. The owner only.
-- ARGV 1 actor, 2 new owner, 3 now
-- Returns {'OK', group view...} or a refusal.
local r, refusal = actor(ARGV[1])
if not r then
  return { refusal }
end
if r ~= OWNER then
  return { 'GROUP_ROLE_INSUFFICIENT' }
end
local tr = role_of(ARGV[2])
if not tr then
  return { 'MEMBER_NOT_FOUND' }
end
if tr == OWNER then
  return { 'FAILED_PRECONDITION' }
end
redis.call('HSET', ROLES, ARGV[1], tostring(ADMIN), ARGV[2], tostring(OWNER))
redis.call('HDEL', MUTED, ARGV[2])
redis.call('HSET', META, 'owner', ARGV[2], 'updated', ARGV[3])
return ok(group_view())
