-- Mutes a member until a time, or unmutes it. Admins mute members; the owner admins and members.
-- ARGV 1 actor, 2 target, 3 until (ms; '' to unmute), 4 now
-- Returns {'OK', member view} or a refusal.
local r, refusal = actor(ARGV[1])
if not r then
  return { refusal }
end
if r < ADMIN then
  return { 'GROUP_ROLE_INSUFFICIENT' }
end
local tr = role_of(ARGV[2])
if not tr then
  return { 'MEMBER_NOT_FOUND' }
end
if tr >= r then
  return { 'GROUP_ROLE_INSUFFICIENT' }
end
local now = tonumber(ARGV[4])
if ARGV[3] == '' or tonumber(ARGV[3]) <= now then
  redis.call('HDEL', MUTED, ARGV[2])
else
  redis.call('HSET', MUTED, ARGV[2], ARGV[3])
end
return ok(member_view(ARGV[2], now))
