-- A page of members in join order.
-- ARGV 1 the member asking ('' for an internal caller: no check), 2 join time to start after
-- ('' for the first page), 3 how many, 4 now, 5 '1' for role and mute too, '0' for ids only
-- Returns {'OK', id, join time[, role, mute until or ''], ...} or a refusal.
if not exists() then
  return { 'GROUP_NOT_FOUND' }
end
if ARGV[1] ~= '' and not role_of(ARGV[1]) then
  return { not_member() }
end
local min = '-inf'
if ARGV[2] ~= '' then
  min = '(' .. ARGV[2]
end
local page = redis.call('ZRANGEBYSCORE', JOINED, min, '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
local now = tonumber(ARGV[4])
local out = { 'OK' }
for i = 1, #page, 2 do
  out[#out + 1] = page[i]
  out[#out + 1] = page[i + 1]
  if ARGV[5] == '1' then
    out[#out + 1] = redis.call('HGET', ROLES, page[i])
    out[#out + 1] = mute_of(page[i], now)
  end
end
return out
