/** `deno task replay`: reprocess events (by type, document, id/time range) or redrive a DLQ. */
import { parseArgs } from "node:util";
import { keys } from "../shared/keys.ts";
import { checkRedisUrl, connectRedis } from "../shared/redis.ts";
import { redriveDeadLetters, replayEvents, toStreamId } from "../shared/replay.ts";
import { eventTypes, typeSuffix } from "../shared/events.ts";
import { fail, progressLine } from "./_cli.ts";

const TYPES = eventTypes.map(typeSuffix);
const USAGE = `Usage:
  deno task replay --type TYPE [--document ID] [--from T] [--to T] [--limit N] [--rate N] [--dry-run]
  deno task replay --dlq GROUP [--id DLQ_ID ...] [--dry-run]

Replays events into their stream as a new replay generation, so the next stage processes them
again; or redrives dead letters of a consumer group back into the stream they came from.
  --type TYPE      ${TYPES.join(", ")}
  --document ID    only this document's events
  --from, --to T   range bounds: stream id (1700000000000-0), epoch ms or ISO time (inclusive)
  --limit N        replay at most N events
  --rate N         at most N events per second (default: unlimited)
  --dlq GROUP      redrive the DLQ of GROUP (classification, routing, response)
  --id DLQ_ID      only these DLQ entries (repeatable)
  --dry-run        show what would happen, change nothing
  --help           this text
Environment: REDIS_URL (default redis://127.0.0.1:6379), DIP_PREFIX (default dip).`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    type: { type: "string" },
    document: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    limit: { type: "string" },
    rate: { type: "string" },
    dlq: { type: "string" },
    id: { type: "string", multiple: true },
    "dry-run": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (!values.type === !values.dlq) fail("give exactly one of --type or --dlq", USAGE);
if (values.type && !TYPES.includes(values.type)) {
  fail(`--type must be one of ${TYPES.join(", ")} (got "${values.type}")`);
}
const positive = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0)) fail(`--${name} must be a positive number (got "${v}")`);
  return n;
};
for (const id of values.id ?? []) {
  if (!/^\d+-\d+$/.test(id)) fail(`--id must be a DLQ entry id like 1700000000000-0 (got "${id}")`);
}
if (values.id && !values.dlq) fail("--id goes with --dlq", USAGE);
const limit = positive("limit", values.limit);
const rate = positive("rate", values.rate);
let fromId: string | undefined, toId: string | undefined;
try {
  fromId = values.from ? toStreamId(values.from) : undefined;
  toId = values.to ? toStreamId(values.to) : undefined;
} catch (error) {
  fail((error as Error).message);
}
let url: string;
try {
  url = checkRedisUrl(Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379");
} catch (error) {
  fail((error as Error).message);
}
const redis = connectRedis(url, { name: "dip-replay", maxReconnectDelayMs: 500 });
try {
  await Promise.race([
    redis.ping(),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`cannot reach Redis at ${url}`)), 5000)
    ),
  ]);
} catch (error) {
  redis.disconnect();
  Deno.exit(0);
  fail((error as Error).message);
}
const k = keys(Deno.env.get("DIP_PREFIX") ?? "dip");
const dry = values["dry-run"];
const controller = new AbortController();
Deno.addSignalListener("SIGINT", () => controller.abort());

if (values.dlq) {
  const results = await redriveDeadLetters(redis, k, values.dlq, {
    dryRun: dry,
    ...(values.id ? { ids: values.id } : {}),
    onEach: (r) =>
      console.error(
        `${r.status.padEnd(14)} ${r.dlqId}${r.documentId ? ` document ${r.documentId}` : ""}${
          r.reason ? ` (${r.reason})` : ""
        }`,
      ),
  });
  const count = (s: string) => results.filter((r) => r.status === s).length;
  console.log(
    dry
      ? `dry run: ${count("dry-run")} would be redriven, ${count("not-redrivable")} cannot be`
      : `redriven ${count("redriven")}, not redrivable ${count("not-redrivable")}`,
  );
} else {
  const progress = progressLine("replay");
  const n = await replayEvents(redis, k, {
    type: values.type!,
    ...(values.document ? { documentId: values.document } : {}),
    ...(fromId ? { fromId } : {}),
    ...(toId ? { toId } : {}),
    ...(limit ? { limit } : {}),
  }, {
    dryRun: dry,
    ...(rate ? { ratePerSec: rate } : {}),
    signal: controller.signal,
    onEach: (event, i) => {
      if (dry) {
        console.error(
          `would replay ${event.id} (document ${event.subject}, generation ${event.dipreplay})`,
        );
      } else progress("replaying", i, Math.max(i, limit ?? i));
    },
  });
  console.log(
    dry
      ? `dry run: ${n} events would be replayed`
      : `replayed ${n} events of ${values.type}${
        controller.signal.aborted ? " (interrupted)" : ""
      }`,
  );
}
redis.disconnect();
Deno.exit(0); // the SIGINT listener would keep the process alive
