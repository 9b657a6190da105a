-- Reads a group and one user's membership in it.
-- ARGV 1 user id ('' for none), 2 now
-- Returns {} if there is no such group; else the group view, followed by the user's member view
-- if the user is a member.
if not exists() then
  return {}
end
local out = group_view()
if ARGV[1] ~= '' and role_of(ARGV[1]) then
  local m = member_view(ARGV[1], tonumber(ARGV[2]))
  out[10], out[11], out[12] = m[1], m[2], m[3]
end
return out
