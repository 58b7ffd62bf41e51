/** Checks shared by the end-to-end tests: outcomes per document, event chains, group states. */
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { type DipEvent, parseEvent } from "../shared/events.ts";
import type { Keys } from "../shared/keys.ts";
import { groupStates } from "../shared/lag.ts";
import { eventually } from "../shared/_testing.ts";

/** Every event of a stream, by document id. */
export async function eventsByDocument(
  redis: Redis,
  k: Keys,
  suffix: string,
): Promise<Map<string, DipEvent[]>> {
  const out = new Map<string, DipEvent[]>();
  let start = "-";
  for (;;) {
    const rows = await redis.xrange(k.stream(suffix), start, "+", "COUNT", 1000);
    for (const [, fields] of rows) {
      const e = parseEvent(fields[1]);
      out.set(e.subject, [...(out.get(e.subject) ?? []), e]);
    }
    if (rows.length < 1000) return out;
    start = `(${rows.at(-1)![0]}`;
  }
}

/** Waits until every document is completed (checking the read model). */
export async function waitCompleted(
  redis: Redis,
  k: Keys,
  ids: string[],
  timeoutMs: number,
): Promise<void> {
  await eventually(
    async () => {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(k.doc(id), "status");
      const statuses = (await pipeline.exec())!.map(([, s]) => s);
      const done = statuses.filter((s) => s === "completed").length;
      return done === ids.length || undefined;
    },
    timeoutMs,
    `all ${ids.length} documents completed`,
  );
}

/** Asserts exactly one outcome per stage per document, chained by causation and correlation. */
export async function assertChains(redis: Redis, k: Keys, ids: string[]): Promise<void> {
  const stages = [
    "document.ingested",
    "document.classified",
    "routing.decided",
    "response.generated",
  ];
  const byStage = await Promise.all(stages.map((s) => eventsByDocument(redis, k, s)));
  for (const id of ids) {
    const chain = byStage.map((m, i) => {
      const events = m.get(id) ?? [];
      // ingestion may publish twice only when a Redis restart resent the XADD; the same event id
      const distinct = [...new Map(events.map((e) => [e.id, e])).values()];
      assert.equal(
        distinct.length,
        1,
        `document ${id}: ${distinct.length} distinct ${stages[i]} events`,
      );
      if (i > 0) {
        assert.equal(events.length, 1, `document ${id}: ${events.length} ${stages[i]} events`);
      }
      return distinct[0]!;
    });
    for (let i = 0; i < chain.length; i++) {
      assert.equal(chain[i]!.correlationid, id);
      if (i > 0) {
        assert.equal(
          chain[i]!.causationid,
          chain[i - 1]!.id,
          `document ${id}: broken causation at ${stages[i]}`,
        );
      }
    }
  }
}

/** Asserts that every stage group has no pending entries and no lag. */
export async function assertDrained(redis: Redis, k: Keys): Promise<void> {
  const pairs = [["document.ingested", "classification"], ["document.classified", "routing"], [
    "routing.decided",
    "response",
  ]];
  for (const [suffix, group] of pairs) {
    const state = (await groupStates(redis, k.stream(suffix!))).find((g) => g.group === group);
    assert.ok(state, `group ${group} exists`);
    assert.equal(state.pending, 0, `${group} pending`);
    assert.equal(state.lag, 0, `${group} lag`);
  }
}

/** Waits until every stage group has no pending entries and no lag, then asserts it once more. */
export async function waitDrained(redis: Redis, k: Keys, timeoutMs = 15_000): Promise<void> {
  await eventually(
    () => assertDrained(redis, k).then(() => true, () => false),
    timeoutMs,
    "groups drained",
  );
  await assertDrained(redis, k);
}
