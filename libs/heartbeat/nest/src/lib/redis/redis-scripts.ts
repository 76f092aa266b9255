/**
 * Lua scripts run atomically in Redis, so that a topic's sequence number, its replay stream and the
 * live Pub/Sub message always agree, whichever node publishes.
 *
 * Stream entry ids are `<ms>-<seq>`: the time part lets XTRIM MINID drop entries by age, and `seq`
 * keeps ids growing even when two events share a millisecond. `ms` never goes back (the topic hash
 * remembers the last one), so ids stay monotonic if Redis's clock does not.
 */

/** Milliseconds of Redis's own clock: nodes' clocks may disagree, Redis's is the one the stream ids use. */
const NOW_MS = `local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)`;

/**
 * A topic whose hash disappeared (expired, flushed) starts a new epoch; its old stream must go with it.
 * So does a topic last written by another Redis server process (the hash's `server`: the run id of
 * the one that wrote it): after a failover the promoted replica may lack events its primary had
 * acknowledged (replication is asynchronous), and after a restart the data may be older than what
 * was published; their seqs would be given again to other events. What is lost cannot be known
 * here, so any change of server is told as one (docs/scaling.md#sentinel-and-failover). A run id is 40 hex
 * characters; a plain find costs a publish about 4 µs of Redis CPU where a pattern match cost 10
 * (measured in a loop of 10,000 in one script).
 */
const ENSURE_EPOCH = `local info = redis.call('INFO', 'server')
local at = string.find(info, 'run_id:', 1, true)
local server = string.sub(info, at + 7, at + 46)
local written = redis.call('HGET', KEYS[1], 'server')
if written and written ~= server then redis.call('DEL', KEYS[1]) end
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then redis.call('DEL', KEYS[2]) end
if written ~= server then redis.call('HSET', KEYS[1], 'server', server) end
local epoch = redis.call('HGET', KEYS[1], 'epoch')`;

/**
 * KEYS: topic hash, stream, publisher key. ARGV: new epoch, publish counter, max events, max age ms,
 * the event frame's text before `seq`, between `seq` and the epoch, after the epoch (the protocol's
 * `eventFrameParts`: the frame is encoded there, this script only joins it), channel, publisher key ttl ms,
 * the publish command: SPUBLISH on a Redis Cluster (sharded Pub/Sub: the topic's shard only), else
 * PUBLISH, and the window: how far below the counter a publish of the same node can still arrive.
 * Returns `{seq, epoch}`.
 *
 * The publisher key is the node process's applied publishes to the topic (a sorted set, scored by
 * counter, of `counter seq epoch`): a counter found there is a resend of a publish whose reply was
 * lost, answered from the record and not applied again. Any other is applied, even below one applied
 * already: a Redis Cluster client retries the commands of a failed shard each on its own, so they
 * can arrive out of order (docs/scaling.md#redis-cluster). A node never has more than
 * `maxPendingPublishes` publishes in flight, so records that far below the counter are dropped.
 */
export const APPEND_SCRIPT = `local applied = redis.call('ZRANGEBYSCORE', KEYS[3], ARGV[2], ARGV[2])
if applied[1] then
  local seq, epoch = string.match(applied[1], '^%d+ (%d+) (.+)$')
  return {tonumber(seq), epoch}
end
${ENSURE_EPOCH}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
${NOW_MS}
local last = tonumber(redis.call('HGET', KEYS[1], 'ms') or '0')
if ms < last then ms = last end
redis.call('HSET', KEYS[1], 'ms', ms)
local text = ARGV[5] .. seq .. ARGV[6] .. epoch .. ARGV[7]
local maxEvents = tonumber(ARGV[3])
if maxEvents > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', maxEvents, ms .. '-' .. seq, 'e', text)
  redis.call('XTRIM', KEYS[2], 'MINID', math.max(ms - tonumber(ARGV[4]), 0) .. '-0')
end
redis.call(ARGV[10], ARGV[8], seq .. ' ' .. epoch .. ' ' .. text)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[2] .. ' ' .. seq .. ' ' .. epoch)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(ARGV[2]) - tonumber(ARGV[11])))
redis.call('PEXPIRE', KEYS[3], ARGV[9])
return {seq, epoch}`;

/**
 * KEYS: topic hash, stream. ARGV: new epoch, since (-1: none), max events, max age ms.
 * Returns `{epoch, seq, entries}`: the head and, newest first, the entries after `since` that are
 * young enough (at most head − since of them: seqs are consecutive).
 */
export const READ_SCRIPT = `${ENSURE_EPOCH}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local since = tonumber(ARGV[2])
local entries = {}
if since >= 0 and since < seq and tonumber(ARGV[3]) > 0 then
  ${NOW_MS}
  local oldest = math.max(ms - tonumber(ARGV[4]), 0)
  entries = redis.call('XREVRANGE', KEYS[2], '+', oldest .. '-0', 'COUNT', math.min(seq - since, tonumber(ARGV[3])))
end
return {epoch, seq, entries}`;

/**
 * Presence (docs/scaling.md#presence): every script's ARGV[1] is the presence prefix
 * (`RedisKeys.presencePrefix`) and the keys are built from it; they all share its hash tag, and
 * KEYS[1] (`RedisKeys.presenceRoute`) names their shard to a Redis Cluster. Per topic a hash
 * of entries `connection id → node id \n user id` and a hash of members `user id → "<connections>
 * <since>"`; per node a set of its entries `connection id \n topic` and a key that lives while the
 * node does. A user's first entry publishes a join, every later change of their count a join
 * with the new count (add or replace), their last one's removal a leave, on one channel for every
 * topic: the script that changes the count is the one that tells, so each change is told once
 * whichever node causes it.
 */
const PRESENCE_FUNCTIONS = `local p = ARGV[1]
local function publish(change)
  redis.call('PUBLISH', p .. 'presence', cjson.encode(change))
end
local function add(node, topic, conn, user, since)
  if redis.call('HSETNX', p .. 'presence:' .. topic, conn, node .. '\\n' .. user) == 0 then return end
  redis.call('SADD', p .. 'presence-node:' .. node, conn .. '\\n' .. topic)
  local members = p .. 'presence-members:' .. topic
  local current = redis.call('HGET', members, user)
  if current then
    local count, first = string.match(current, '^(%d+) (%d+)$')
    redis.call('HSET', members, user, (tonumber(count) + 1) .. ' ' .. first)
    publish({kind = 'join', topic = topic, member = {user_id = user, connections = tonumber(count) + 1, since = tonumber(first)}})
  else
    redis.call('HSET', members, user, '1 ' .. since)
    publish({kind = 'join', topic = topic, member = {user_id = user, connections = 1, since = tonumber(since)}})
  end
end
local function remove(topic, conn)
  local entries = p .. 'presence:' .. topic
  local value = redis.call('HGET', entries, conn)
  if not value then return end
  redis.call('HDEL', entries, conn)
  local node, user = string.match(value, '^([^\\n]*)\\n(.*)$')
  redis.call('SREM', p .. 'presence-node:' .. node, conn .. '\\n' .. topic)
  local members = p .. 'presence-members:' .. topic
  local count, first = string.match(redis.call('HGET', members, user) or '1 0', '^(%d+) (%d+)$')
  if tonumber(count) > 1 then
    redis.call('HSET', members, user, (tonumber(count) - 1) .. ' ' .. first)
    publish({kind = 'join', topic = topic, member = {user_id = user, connections = tonumber(count) - 1, since = tonumber(first)}})
  else
    redis.call('HDEL', members, user)
    publish({kind = 'leave', topic = topic, userId = user})
  end
end
local function alive(node, ttl)
  redis.call('SADD', p .. 'presence-nodes', node)
  return redis.call('SET', p .. 'presence-alive:' .. node, '1', 'PX', ttl, 'GET')
end`;

/** KEYS: the presence route. ARGV: presence prefix, node id, alive ttl ms, topic, connection id, user id, since. */
export const PRESENCE_ADD_SCRIPT = `${PRESENCE_FUNCTIONS}
alive(ARGV[2], ARGV[3])
add(ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1`;

/** KEYS: the presence route. ARGV: presence prefix, topic, connection id. */
export const PRESENCE_REMOVE_SCRIPT = `${PRESENCE_FUNCTIONS}
remove(ARGV[2], ARGV[3])
return 1`;

/**
 * KEYS: the presence route. ARGV: presence prefix, node id, alive ttl ms, then (topic, connection id, user id, since) for each of the
 * node's entries: what Redis holds of the node becomes exactly that (after an outage, or Redis
 * restarted empty). Entries no longer listed are removed, those missing added. An alive ttl of 0:
 * the node leaves (its key and its place in the node list go).
 */
export const PRESENCE_SYNC_SCRIPT = `${PRESENCE_FUNCTIONS}
local node = ARGV[2]
local wanted = {}
for i = 4, #ARGV, 4 do wanted[ARGV[i + 1] .. '\\n' .. ARGV[i]] = true end
for _, member in ipairs(redis.call('SMEMBERS', p .. 'presence-node:' .. node)) do
  if not wanted[member] then
    local conn, topic = string.match(member, '^([^\\n]*)\\n(.*)$')
    remove(topic, conn)
  end
end
for i = 4, #ARGV, 4 do add(node, ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]) end
if tonumber(ARGV[3]) > 0 then
  alive(node, ARGV[3])
else
  redis.call('DEL', p .. 'presence-alive:' .. node)
  redis.call('SREM', p .. 'presence-nodes', node)
end
return 1`;

/**
 * KEYS: the presence route. ARGV: presence prefix, node id, alive ttl ms. Keeps the node alive, and removes the entries of every node
 * whose key expired (it died, or lost Redis for longer than the ttl): their users leave. Returns 1
 * when the node's own key was there, 0 when Redis lost it (restarted empty, or the node was taken
 * for dead): the node then writes its entries again.
 */
export const PRESENCE_REFRESH_SCRIPT = `${PRESENCE_FUNCTIONS}
local was = alive(ARGV[2], ARGV[3])
for _, node in ipairs(redis.call('SMEMBERS', p .. 'presence-nodes')) do
  if redis.call('EXISTS', p .. 'presence-alive:' .. node) == 0 then
    for _, member in ipairs(redis.call('SMEMBERS', p .. 'presence-node:' .. node)) do
      local conn, topic = string.match(member, '^([^\\n]*)\\n(.*)$')
      remove(topic, conn)
    end
    redis.call('DEL', p .. 'presence-node:' .. node)
    redis.call('SREM', p .. 'presence-nodes', node)
  end
end
if was then return 1 end
return 0`;

/*
 * Sessions (docs/scaling.md#sessions-across-nodes): a hash `{user?, node, conn, left?, n}` and a
 * sorted set of its recent `message` ids (score: the hash's counter `n` when the id came), both in
 * the session's slot. `node` and `conn` name the connection holding the session; both are '' while
 * it waits to be resumed, and `left` names the node where its last connection closed. Every script
 * takes KEYS: session hash, message ids.
 */

/**
 * ARGV: user ('' for anonymous), node, connection, ttl ms. A session attached on `node`, written:
 * when it is new, again every keep-alive, after Redis lost it, and when Redis shows it on another
 * connection of `node` or waiting after it closed on `node` (that node's registry knows which of
 * its connections has it: a write that failed, or a copy older than a failover, is mended so). A
 * session another node took is left alone, and that node returned as `{node, conn}` (`conn` ''
 * when its connection there has closed since): `node` drops its own connection once a second look
 * finds the same (redis-session-store.ts). Returns 1 when written.
 */
export const SESSION_KEEP_SCRIPT = `local holder = redis.call('HMGET', KEYS[1], 'node', 'conn', 'left')
if holder[1] == '' and holder[3] and holder[3] ~= '' and holder[3] ~= ARGV[2] then return {holder[3], ''} end
if holder[1] and holder[1] ~= '' and holder[1] ~= ARGV[2] then return {holder[1], holder[2] or ''} end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'user', ARGV[1]) end
redis.call('HSET', KEYS[1], 'node', ARGV[2], 'conn', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

/**
 * ARGV: user ('' for anonymous), node, connection, ttl ms. A `hello` naming the session: nil when
 * Redis does not have it, `{'refused'}` for another user's (left as it was), else it is attached
 * to the connection and `{'claimed', node, conn}` names where it was attached until now.
 */
export const SESSION_CLAIM_SCRIPT = `if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local user = redis.call('HGET', KEYS[1], 'user') or ''
if user ~= ARGV[1] then return {'refused'} end
local holder = redis.call('HMGET', KEYS[1], 'node', 'conn')
redis.call('HSET', KEYS[1], 'node', ARGV[2], 'conn', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'claimed', holder[1] or '', holder[2] or ''}`;

/**
 * ARGV: node, connection, ttl ms, then what to do — only while `node`/`connection` still hold the
 * session (another connection may have claimed it since, and keeps it); returns 1 when done:
 * - `detach`: its connection closed: it waits `ttl` to be resumed, remembered as left by `node`;
 * - `restore`, previous node, previous connection: a claim that was not used gives the session back
 *   to the connection that held it before (none: waiting again), alive for `ttl`;
 * - `forget`: deleted now (beyond `maxRetainedSessions`), if it still waits where `node` left it
 *   (ARGV connection is then '').
 */
export const SESSION_RELEASE_SCRIPT = `local holder = redis.call('HMGET', KEYS[1], 'node', 'conn', 'left')
local mode = ARGV[4]
if mode == 'forget' then
  if holder[1] ~= '' or holder[3] ~= ARGV[1] then return 0 end
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
if holder[1] ~= ARGV[1] or holder[2] ~= ARGV[2] then return 0 end
if mode == 'detach' then
  redis.call('HSET', KEYS[1], 'node', '', 'conn', '', 'left', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'node', ARGV[5], 'conn', ARGV[6])
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;

/**
 * ARGV: message id, window, ttl ms. Returns 0 when the id is among the session's last `window`,
 * else remembers it (forgetting the oldest beyond the window) and returns 1. A hash that is gone
 * (Redis lost it) starts again from this id; the keep-alive writes its holder back.
 */
export const SESSION_REMEMBER_SCRIPT = `if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('ZADD', KEYS[2], n, ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -tonumber(ARGV[2]) - 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  ttl = ARGV[3]
end
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;
