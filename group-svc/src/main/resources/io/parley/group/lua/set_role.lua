-- Makes a member an admin or an admin a member. The owner only.
-- ARGV 1 actor, 2 target, 3 role (1 or 2), 4 now
-- Returns {'OK', member view} or a refusal.
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
redis.call('HSET', ROLES, ARGV[2], ARGV[3])
return ok(member_view(ARGV[2], tonumber(ARGV[4])))
