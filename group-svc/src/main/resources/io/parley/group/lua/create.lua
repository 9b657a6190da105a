-- Creates a group with its owner and first members.
-- ARGV 1 name, 2 notice, 3 avatar, 4 policy, 5 owner id, 6 max members, 7 now, 8... member ids
-- Returns {'OK', id, join time, ...} for the owner then each member, or a refusal.
if exists() then
  return { 'RESOURCE_ALREADY_EXISTS' }
end
local now, max = tonumber(ARGV[7]), tonumber(ARGV[6])
if #ARGV - 6 > max then
  return { 'GROUP_FULL', ARGV[6] }
end
redis.call('HSET', META, 'name', ARGV[1], 'notice', ARGV[2], 'avatar', ARGV[3], 'policy', ARGV[4],
  'owner', ARGV[5], 'max', ARGV[6], 'created', ARGV[7], 'updated', ARGV[7], 'lastjoin', '0')
local out = { 'OK', ARGV[5], add_member(ARGV[5], OWNER, now) }
for i = 8, #ARGV do
  if not role_of(ARGV[i]) then
    out[#out + 1] = ARGV[i]
    out[#out + 1] = add_member(ARGV[i], MEMBER, now)
  end
end
return out
