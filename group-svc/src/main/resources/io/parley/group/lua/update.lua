-- Changes a group's fields. Admins and the owner.
-- ARGV 1 actor, 2 now, then pairs of meta field and value (name, notice, avatar, policy)
-- Returns {'OK', group view...} or a refusal.
local r, refusal = actor(ARGV[1])
if not r then
  return { refusal }
end
if r < ADMIN then
  return { 'GROUP_ROLE_INSUFFICIENT' }
end
for i = 3, #ARGV, 2 do
  redis.call('HSET', META, ARGV[i], ARGV[i + 1])
end
redis.call('HSET', META, 'updated', ARGV[2])
return ok(group_view())
