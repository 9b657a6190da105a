-- Prepended to every script that changes a session (see RedisSessionStore): announces one change.
-- The change counter of the user's slot moves on (if it exists: 0 tells replicas that it does not)
-- and goes with the event, "<user id> <sid> <K|R|U> <counter>", so that a replica can tell which
-- slots' events it missed (see RedisSessionEvents).
-- counter: the counter's key (a key of the script, in the user's slot); publish: PUBLISH, or
-- SPUBLISH on a Cluster, to a channel in the same slot.
local function announce(counter, publish, channel, uid, sid, code)
  local n = 0
  if redis.call('EXISTS', counter) == 1 then
    n = redis.call('INCR', counter)
  end
  redis.call(publish, channel, uid .. ' ' .. sid .. ' ' .. code .. ' ' .. n)
end
