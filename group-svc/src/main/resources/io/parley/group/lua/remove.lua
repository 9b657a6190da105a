-- Ends a membership: a member leaving, or an admin or the owner removing someone.
-- ARGV 1 'leave' or 'remove', 2 actor, 3 target (the actor itself to leave), 4 now
-- Returns {'OK', member view of the membership that ended} or a refusal.
local r, refusal = actor(ARGV[2])
if not r then
  return { refusal }
end
local target = ARGV[3]
if ARGV[1] == 'leave' then
  if r == OWNER then
    return { 'OWNER_CANNOT_LEAVE' }
  end
else
  if r < ADMIN then
    return { 'GROUP_ROLE_INSUFFICIENT' }
  end
  local tr = role_of(target)
  if not tr then
    return { 'MEMBER_NOT_FOUND' }
  end
  if tr >= r then
    return { 'GROUP_ROLE_INSUFFICIENT' }
  end
end
local ended = member_view(target, tonumber(ARGV[4]))
redis.call('ZREM', JOINED, target)
redis.call('HDEL', ROLES, target)
redis.call('HDEL', MUTED, target)
return ok(ended)
