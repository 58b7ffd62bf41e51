/**
 * Work on a group's pending entries list (PEL): scheduling retries, claiming due retries and
 * stale entries of crashed consumers, keeping in-flight entries alive, removing idle consumers
 * and trimming a stream only below what every group has acknowledged. Each step is one Lua
 * script, so it is atomic against the other consumers.
 */
import type { Redis } from "ioredis";
import { runScript, script } from "./lua.ts";

/** A stream entry delivered to this consumer, with Redis's delivery count for it. */
export interface Delivery {
  entryId: string;
  fields: Record<string, string>;
  /** How many times Redis has delivered this entry (1 on first delivery). */
  deliveries: number;
}

type RawEntry = [string, string[] | null];

function toFields(flat: string[] | null): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; flat && i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/** Turns an XREADGROUP/XCLAIM entry into a {@link Delivery}. */
export function toDelivery([entryId, flat]: RawEntry, deliveries: number): Delivery {
  return { entryId, fields: toFields(flat), deliveries };
}

const SCHEDULE_RETRY = script(`
-- KEYS: 1 retry zset, 2 failures hash; ARGV: 1 entry id, 2 due ms, 3 now ms, 4 reason
local note = redis.call('HGET', KEYS[2], ARGV[1])
local first = ARGV[3]
if note then first = cjson.decode(note).first end
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({first = first, last = ARGV[3], error = ARGV[4]}))
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return first
`);

/** Failure notes kept for an entry between attempts. */
export interface FailureNote {
  first: string;
  last: string;
  error: string;
}

/** Schedules a retry of `entryId` at `dueMs`, noting the failure. The entry stays pending. */
export async function scheduleRetry(
  redis: Redis,
  retryKey: string,
  failuresKey: string,
  entryId: string,
  dueMs: number,
  reason: string,
): Promise<void> {
  await runScript(redis, SCHEDULE_RETRY, [retryKey, failuresKey], [
    entryId,
    dueMs,
    Date.now(),
    reason,
  ]);
}

/** Reads the failure note of an entry, if it failed before. */
export async function failureNote(
  redis: Redis,
  failuresKey: string,
  entryId: string,
): Promise<FailureNote | undefined> {
  const text = await redis.hget(failuresKey, entryId);
  return text ? JSON.parse(text) as FailureNote : undefined;
}

const CLAIM_DUE = script(`
-- KEYS: 1 stream, 2 retry zset, 3 failures hash; ARGV: 1 group, 2 consumer, 3 now ms, 4 count
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[2], id)
  local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, id)
  if #claimed > 0 and claimed[1] then
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    table.insert(out, {claimed[1], p[1][4]})
  else
    redis.call('HDEL', KEYS[3], id)
  end
end
return out
`);

/** Claims retries that are due, incrementing their delivery count. */
export async function claimDueRetries(
  redis: Redis,
  keys: { stream: string; retries: string; failures: string },
  group: string,
  consumer: string,
  count: number,
): Promise<Delivery[]> {
  const rows = await runScript<[RawEntry, number][]>(
    redis,
    CLAIM_DUE,
    [keys.stream, keys.retries, keys.failures],
    [group, consumer, Date.now(), count],
  );
  return rows.map(([entry, deliveries]) => toDelivery(entry, deliveries));
}

const CLAIM_STALE = script(`
-- KEYS: 1 stream, 2 retry zset, 3 failures hash
-- ARGV: 1 group, 2 consumer, 3 min idle ms, 4 cursor, 5 count, 6 now ms
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], 'COUNT', tonumber(ARGV[5]))
local out = {}
for _, e in ipairs(r[2]) do
  local due = redis.call('ZSCORE', KEYS[2], e[1])
  if (not due) or tonumber(due) <= tonumber(ARGV[6]) then
    if due then redis.call('ZREM', KEYS[2], e[1]) end
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
    table.insert(out, {e, p[1][4]})
  end
end
for _, id in ipairs(r[3] or {}) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return {r[1], out, r[3] or {}}
`);

/** What a reclaim pass found. */
export interface StaleClaim {
  /** Entries taken over from consumers that stopped working on them. */
  deliveries: Delivery[];
  /** Pending entries whose stream entry was trimmed or deleted; Redis dropped them from the PEL. */
  deleted: string[];
  /** The cursor to continue the scan with (`0-0` when the scan wrapped). */
  cursor: string;
}

/**
 * Takes over entries idle for at least `minIdleMs` (XAUTOCLAIM). Entries waiting for a retry
 * that is not yet due are claimed but not returned: the retry schedule delivers them.
 */
export async function claimStale(
  redis: Redis,
  keys: { stream: string; retries: string; failures: string },
  group: string,
  consumer: string,
  minIdleMs: number,
  cursor: string,
  count: number,
): Promise<StaleClaim> {
  const [next, rows, deleted] = await runScript<[string, [RawEntry, number][], string[]]>(
    redis,
    CLAIM_STALE,
    [keys.stream, keys.retries, keys.failures],
    [group, consumer, minIdleMs, cursor, count, Date.now()],
  );
  return {
    cursor: next,
    deliveries: rows.map(([entry, deliveries]) => toDelivery(entry, deliveries)),
    deleted,
  };
}

const HEARTBEAT = script(`
-- KEYS: 1 stream; ARGV: 1 group, 2 consumer, 3.. entry ids
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
`);

/**
 * Resets the idle time of entries this consumer still owns, so no other consumer reclaims work
 * in flight. Returns the entries it no longer owns.
 */
export async function keepAlive(
  redis: Redis,
  stream: string,
  group: string,
  consumer: string,
  entryIds: string[],
): Promise<string[]> {
  if (entryIds.length === 0) return [];
  return await runScript<string[]>(redis, HEARTBEAT, [stream], [group, consumer, ...entryIds]);
}

const REMOVE_IDLE_CONSUMERS = script(`
-- KEYS: 1 stream; ARGV: 1 group, 2 own consumer name, 3 min idle ms
local removed = {}
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local t = {}
  for i = 1, #c, 2 do t[c[i]] = c[i + 1] end
  if t['name'] ~= ARGV[2] and t['pending'] == 0 and t['idle'] >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], t['name'])
    table.insert(removed, t['name'])
  end
end
return removed
`);

/**
 * Removes consumers of `group` that own no pending entries and have been idle for `minIdleMs`
 * (never one that still owns work, which would lose it). Returns the removed names.
 */
export async function removeIdleConsumers(
  redis: Redis,
  stream: string,
  group: string,
  self: string,
  minIdleMs: number,
): Promise<string[]> {
  return await runScript<string[]>(redis, REMOVE_IDLE_CONSUMERS, [stream], [
    group,
    self,
    minIdleMs,
  ]);
}

const TRIM_ACKED = script(`
-- KEYS: 1 stream; ARGV: 1 retention cut-off id ('ms-0')
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local function less(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local minid = ARGV[1]
for _, g in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
  local t = {}
  for i = 1, #g, 2 do t[g[i]] = g[i + 1] end
  -- with nothing pending, every entry up to last-delivered-id is acknowledged: keep what follows
  local ms, seq = parse(t['last-delivered-id'])
  local candidate = string.format('%d-%d', ms, seq + 1)
  local summary = redis.call('XPENDING', KEYS[1], t['name'])
  if summary[1] > 0 then candidate = summary[2] end
  if less(candidate, minid) then minid = candidate end
end
return redis.call('XTRIM', KEYS[1], 'MINID', minid)
`);

/**
 * Trims `stream` below the oldest entry any group still needs (pending or not yet delivered)
 * and below the retention cut-off, so replay keeps recent history. Never drops unprocessed work.
 * Returns the number of entries removed.
 */
export async function trimAcknowledged(
  redis: Redis,
  stream: string,
  retentionMs: number,
): Promise<number> {
  const cutoff = `${Math.max(0, Date.now() - retentionMs)}-0`;
  return await runScript<number>(redis, TRIM_ACKED, [stream], [cutoff]);
}
