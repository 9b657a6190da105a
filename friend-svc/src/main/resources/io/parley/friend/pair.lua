-- Checks and changes what is between two users, atomically: the source of truth of friend-svc.
--
-- KEYS[1] the pair's hash, parley:friend:pair:{<low>_<high>}, with the fields
--   v           the pair's version: +1 on every change (see "Versions" below)
--   f           epoch ms the two became friends; absent if they are not friends
--   r:<uid>     uid's remark for the other, while they are friends
--   b:<uid>     epoch ms uid began blocking the other
--   p           the id of the pending request between the two, if any
--   q:<rid>     request rid: "<from>|<to>|<STATE>|<created ms>|<updated ms>|<message>"
--
-- ARGV 1 op (send, accept, reject, remove, remark, block, unblock), 2 expected version ('' for
-- none), 3 now (epoch ms), 4 low uid, 5 high uid, 6 the caller's uid, 7.. by op:
--   send: 7 request id, 8 message        accept: 7 request id, 8 remark
--   reject: 7 request id                 remark: 7 remark ('' clears it)
--
-- Versions: with an expected version, the call is a compare-and-set: if the pair's version
-- differs nothing changes and the status is CONFLICT; otherwise the version moves on even if the
-- op is refused, so that the per-user index entries the caller wrote for it beforehand (tagged
-- with that next version) can be cleaned up. Without one, the version moves only when the op
-- changes something.
--
-- Returns { status, v, f, r:low, r:high, b:low, b:high, p, request } with '' for absent fields;
-- status is OK, CONFLICT or the ErrorReason that refused the op; request is the request named in
-- ARGV[7] (send, accept, reject) or ''.
local key = KEYS[1]
local op, expected, now = ARGV[1], ARGV[2], ARGV[3]
local low, high, caller = ARGV[4], ARGV[5], ARGV[6]
local other = (caller == low) and high or low

local function field(name)
  return redis.call('HGET', key, name)
end

local function parse(raw)
  if not raw then
    return nil
  end
  local from, to, state, created, updated, message =
    string.match(raw, '^([^|]*)|([^|]*)|(%u+)|(%d+)|(%d+)|(.*)$')
  return { from = from, to = to, state = state, created = created, updated = updated, message = message }
end

local function encode(r)
  return r.from .. '|' .. r.to .. '|' .. r.state .. '|' .. r.created .. '|' .. r.updated .. '|' .. r.message
end

local function summary(status)
  local h = redis.call('HMGET', key, 'v', 'f', 'r:' .. low, 'r:' .. high, 'b:' .. low, 'b:' .. high, 'p')
  local request = ''
  if ARGV[7] and (op == 'send' or op == 'accept' or op == 'reject') then
    request = field('q:' .. ARGV[7]) or ''
  end
  return { status, h[1] or '0', h[2] or '', h[3] or '', h[4] or '', h[5] or '', h[6] or '', h[7] or '', request }
end

local version = tonumber(field('v') or '0')
local cas = expected ~= ''
if cas and tonumber(expected) ~= version then
  return summary('CONFLICT')
end

local function refuse(reason)
  if cas then
    redis.call('HINCRBY', key, 'v', 1)
  end
  return summary(reason)
end

local function changed()
  redis.call('HINCRBY', key, 'v', 1)
  return summary('OK')
end

local function end_friendship()
  redis.call('HDEL', key, 'f', 'r:' .. low, 'r:' .. high)
end

if op == 'send' then
  if field('b:' .. low) or field('b:' .. high) then
    return refuse('BLOCKED')
  end
  if field('f') then
    return refuse('ALREADY_FRIENDS')
  end
  if field('p') then
    return refuse('FRIEND_REQUEST_EXISTS')
  end
  local rid = ARGV[7]
  redis.call('HSET', key, 'p', rid, 'q:' .. rid, encode({
    from = caller, to = other, state = 'PENDING', created = now, updated = now, message = ARGV[8] }))
  return changed()
end

if op == 'accept' or op == 'reject' then
  local rid = ARGV[7]
  local r = parse(field('q:' .. rid))
  if not r or (r.from ~= caller and r.to ~= caller) then
    return refuse('FRIEND_REQUEST_NOT_FOUND')
  end
  if r.to ~= caller then
    return refuse('NOT_REQUEST_ADDRESSEE')
  end
  if r.state ~= 'PENDING' then
    return refuse('FRIEND_REQUEST_CLOSED')
  end
  -- A pending request means neither blocks the other and they are not friends (block cancels it,
  -- and send refuses friends), so accepting needs no further check.
  r.state = (op == 'accept') and 'ACCEPTED' or 'REJECTED'
  r.updated = now
  redis.call('HSET', key, 'q:' .. rid, encode(r))
  redis.call('HDEL', key, 'p')
  if op == 'accept' then
    end_friendship()
    redis.call('HSET', key, 'f', now)
    if ARGV[8] ~= '' then
      redis.call('HSET', key, 'r:' .. caller, ARGV[8])
    end
  end
  return changed()
end

if op == 'remove' then
  if not field('f') then
    return refuse('NOT_FRIENDS')
  end
  end_friendship()
  return changed()
end

if op == 'remark' then
  if not field('f') then
    return refuse('NOT_FRIENDS')
  end
  if ARGV[7] == '' then
    redis.call('HDEL', key, 'r:' .. caller)
  else
    redis.call('HSET', key, 'r:' .. caller, ARGV[7])
  end
  return changed()
end

if op == 'block' then
  if field('b:' .. caller) then
    return refuse('ALREADY_BLOCKED')
  end
  redis.call('HSET', key, 'b:' .. caller, now)
  end_friendship()
  local pending = field('p')
  if pending then
    local r = parse(field('q:' .. pending))
    r.state = 'CANCELLED'
    r.updated = now
    redis.call('HSET', key, 'q:' .. pending, encode(r))
    redis.call('HDEL', key, 'p')
  end
  return changed()
end

if op == 'unblock' then
  if not field('b:' .. caller) then
    return refuse('NOT_BLOCKED')
  end
  redis.call('HDEL', key, 'b:' .. caller)
  return changed()
end

return redis.error_reply('unknown op ' .. tostring(op))
