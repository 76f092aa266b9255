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

/** A topic whose hash disappeared (expired, flushed) starts a new epoch; its old stream must go with it. */
const ENSURE_EPOCH = `if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then redis.call('DEL', KEYS[2]) end
local epoch = redis.call('HGET', KEYS[1], 'epoch')`;

/**
 * KEYS: topic hash, stream, publisher key. ARGV: new epoch, publish counter, max events, max age ms,
 * the event frame's text before `seq`, between `seq` and the epoch, after the epoch (the protocol's
 * `eventFrameParts`: the frame is encoded there, this script only joins it), channel, publisher key ttl ms.
 * Returns `{seq, epoch}`. A counter at or below the node's last applied one is a resend of a publish
 * whose reply was lost: it is answered from the record, not applied again.
 */
export const APPEND_SCRIPT = `local applied = redis.call('GET', KEYS[3])
if applied then
  local counter, seq, epoch = string.match(applied, '^(%d+) (%d+) (.+)$')
  if tonumber(counter) >= tonumber(ARGV[2]) then
    if counter == ARGV[2] then return {tonumber(seq), epoch} end
    return {0, epoch}
  end
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
redis.call('PUBLISH', ARGV[8], seq .. ' ' .. epoch .. ' ' .. text)
redis.call('SET', KEYS[3], ARGV[2] .. ' ' .. seq .. ' ' .. epoch, 'PX', ARGV[9])
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
