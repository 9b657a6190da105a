-- Deletes a group. The owner only.
-- ARGV 1 actor
-- Returns {'OK', member id, join time, ...} of the members it had, or a refusal.
local r, refusal = actor(ARGV[1])
if not r then
  return { refusal }
end
if r ~= OWNER then
  return { 'GROUP_ROLE_INSUFFICIENT' }
end
local members = redis.call('ZRANGE', JOINED, 0, -1, 'WITHSCORES')
redis.call('DEL', META, JOINED, ROLES, MUTED)
return ok(members)
