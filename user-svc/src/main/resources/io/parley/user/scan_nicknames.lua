-- Scans the nickname index in order for members whose nickname contains a query, examining at
-- most a budget of members, so that one call has a bounded cost (and blocks Redis for a bounded
-- time) however large the index is. Members are "<folded nickname>\0<username>\0<user id>".
-- KEYS[1] the nickname index
-- ARGV    1 query (folded, without NUL), 2 excluded username prefix ('' for none), 3 start after
--         this member ('' for the beginning), 4 matches wanted, 5 budget of members to examine
-- Returns {exhausted (1 if the end of the index was reached, else 0), last member examined
-- ('' if none), match, match, ...}.
local key, query, excluded = KEYS[1], ARGV[1], ARGV[2]
local from = (ARGV[3] == '') and '-' or ('(' .. ARGV[3])
local limit, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local qlen, xlen = #query, #excluded
local find, sub = string.find, string.sub
local result = {0, ''}
local found, examined = 0, 0
while examined < budget do
  local chunk = math.min(256, budget - examined)
  local members = redis.call('ZRANGEBYLEX', key, from, '+', 'LIMIT', 0, chunk)
  for _, m in ipairs(members) do
    examined = examined + 1
    -- The first occurrence of the query lies in the nickname, or the nickname has none.
    local at = find(m, query, 1, true)
    if at then
      local s1 = find(m, '\0', 1, true)
      if s1 and at + qlen <= s1 and (xlen == 0 or sub(m, s1 + 1, s1 + xlen) ~= excluded) then
        found = found + 1
        result[found + 2] = m
        if found == limit then
          result[2] = m
          return result
        end
      end
    end
  end
  local n = #members
  if n > 0 then
    result[2] = members[n]
  end
  if n < chunk then
    result[1] = 1
    return result
  end
  from = '(' .. members[n]
end
return result
