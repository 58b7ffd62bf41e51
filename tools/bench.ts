/**
 * `deno task bench`: dip's speed, measured against raw Redis in the same run on the same private
 * redis-server, and printed as ratios (so the figures mean the same on any machine).
 *
 * - hop: one stage moving N events (read, handle, hand off) — dip's runtime (validation, Lua
 *   hand-off with marker, read model, tracing) vs a bare XREADGROUP → MULTI(XADD, XACK) loop;
 * - ingest: N uploads through the gateway's HTTP app vs bare pipelined XADDs of the same bytes;
 * - pipeline: N documents through the three real stage handlers vs three bare hops;
 * - train: classifier training rate on a generated corpus (absolute: documents per second).
 */
import { parseArgs } from "node:util";
import { connectRedis } from "../shared/redis.ts";
import { readRecords } from "../shared/documents.ts";
import { startRedisServer } from "../shared/redis_server.ts";
import { type Keys, keys } from "../shared/keys.ts";
import { createEvent, type DipEvent } from "../shared/events.ts";
import { defaultPolicy, runStage } from "../shared/stage.ts";
import { tracing } from "../shared/middleware/tracing.ts";
import { validateOutputs } from "../shared/middleware/validation.ts";
import type { Handler } from "../shared/middleware/types.ts";
import { loadConfig } from "../shared/config.ts";
import { silentLogger } from "../shared/log.ts";
import { createGateway } from "../services/ingestion/app.ts";
import { classificationHandler, localClassifier } from "../services/classification/classify.ts";
import { train } from "../services/classification/model.ts";
import { loadModel } from "../services/classification/model_file.ts";
import { routingHandler } from "../services/routing/route.ts";
import { loadRules } from "../services/routing/rules_file.ts";
import { responseHandler } from "../services/response/respond.ts";
import { loadTemplates } from "../services/response/render.ts";
import { webhookSender } from "../services/response/deliver.ts";
import { buildCorpus } from "./corpus.ts";
import { fail } from "./_cli.ts";

const USAGE = `Usage: deno task bench [--n N] [--json]

Measures dip against a raw-Redis baseline in the same run and prints ratios.
  --n N     events/documents per measurement (default 3000)
  --json    print the figures as JSON
  --help    this text`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "3000" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const N = Number(values.n);
if (!Number.isInteger(N) || N < 100) {
  fail(`--n must be a whole number ≥ 100 (got "${values.n}")`, USAGE);
}
const ROOT = new URL("..", import.meta.url).pathname;
const say = (s: string) => console.error(`bench: ${s}`);

const server = await startRedisServer();
const redis = connectRedis(server.url, { name: "dip-bench" });
let run = 0;
const fresh = (): Keys & { prefix: string } => {
  const prefix = `bench${++run}`;
  return { ...keys(prefix), prefix };
};

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

function ingested(i: number, k: Keys): DipEvent {
  return createEvent({
    type: "com.dip.document.ingested",
    source: "bench",
    data: {
      documentId: `doc-${i}`,
      contentType: "text/plain",
      size: 10,
      sha256: "0".repeat(64),
      source: "bench",
      metadata: {},
      textRef: k.blob(`doc-${i}`, "text"),
      contentRef: k.blob(`doc-${i}`, "content"),
      chars: 10,
    },
  });
}

async function fill(stream: string, payloads: string[]): Promise<void> {
  for (let i = 0; i < payloads.length; i += 500) {
    const p = redis.pipeline();
    for (const payload of payloads.slice(i, i + 500)) p.xadd(stream, "*", "event", payload);
    await p.exec();
  }
}

/** A bare hop: XREADGROUP batches, then per entry MULTI(XADD output, XACK), as many in flight as a dip stage. */
async function rawHop(input: string, output: string, group: string, count: number): Promise<void> {
  const reader = redis.duplicate();
  await redis.xgroup("CREATE", input, group, "0", "MKSTREAM").catch(() => {});
  let done = 0;
  while (done < count) {
    const reply = await reader.xreadgroup(
      "GROUP",
      group,
      "raw",
      "COUNT",
      defaultPolicy.concurrency,
      "BLOCK",
      100,
      "STREAMS",
      input,
      ">",
    ) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    await Promise.all(
      entries.map(([id, fields]) =>
        redis.multi().xadd(output, "*", "event", fields[1]!).xack(input, group, id).exec()
      ),
    );
    done += entries.length;
  }
  reader.disconnect();
}

async function time(fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function stage(
  k: Keys,
  group: string,
  input: DipEvent["type"],
  handler: Handler,
  signal: AbortSignal,
) {
  return runStage({
    redis,
    keys: k,
    group,
    consumer: `${group}-bench`,
    input,
    handler,
    middleware: [tracing(group), validateOutputs],
    signal,
    policy: { blockMs: 100 },
  });
}

const results: {
  name: string;
  dip: number;
  raw: number | null;
  unit: string;
  ratio: number | null;
  note: string;
}[] = [];

// 1. one hop
{
  const k = fresh();
  const events = Array.from({ length: N }, (_, i) => ingested(i, k));
  const payloads = events.map((e) => JSON.stringify(e));
  const rawIn = `${k.prefix}:raw:in`, rawOut = `${k.prefix}:raw:out`;
  await fill(rawIn, payloads);
  say(`hop: raw baseline over ${N} events`);
  const raw = await time(() => rawHop(rawIn, rawOut, "raw", N));
  await fill(k.stream("document.ingested"), payloads);
  say(`hop: dip stage runtime over ${N} events`);
  const controller = new AbortController();
  const pass: Handler = (e) =>
    Promise.resolve([createEvent({
      type: "com.dip.document.classified",
      source: "bench",
      cause: e,
      data: {
        documentId: e.subject,
        category: "x",
        confidence: 1,
        scores: [],
        model: { name: "m", version: "1" },
      },
    })]);
  const dip = await time(async () => {
    const s = stage(k, "classification", "com.dip.document.ingested", pass, controller.signal);
    await until(async () => (await redis.xlen(k.stream("document.classified"))) >= N);
    controller.abort();
    await s.done;
  });
  results.push({
    name: "stage hop",
    dip: N / (dip / 1000),
    raw: N / (raw / 1000),
    unit: "events/s",
    ratio: raw / dip,
    note: "dip rate ÷ bare XREADGROUP+MULTI(XADD,XACK) rate",
  });
}

// 2. ingestion over the HTTP app
{
  const k = fresh();
  const app = createGateway({
    redis,
    keys: k,
    config: loadConfig({ REDIS_URL: server.url }),
    logger: silentLogger,
  });
  const texts = buildCorpus(Math.ceil(N / 8 / 0.9) + 1, 0.01, 3).train.map((d) => d.text).slice(
    0,
    N,
  );
  say(`ingest: raw baseline, ${texts.length} XADDs of the same bytes`);
  const raw = await time(async () => {
    for (let i = 0; i < texts.length; i += 16) {
      await Promise.all(
        texts.slice(i, i + 16).map((t) => redis.xadd(`${k.prefix}:raw:ingest`, "*", "body", t)),
      );
    }
  });
  say(`ingest: ${texts.length} uploads through the gateway app`);
  const dip = await time(async () => {
    for (let i = 0; i < texts.length; i += 16) {
      await Promise.all(
        texts.slice(i, i + 16).map(async (t) => {
          const r = await app.request("/documents", {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: t,
          });
          if (r.status !== 202) throw new Error(`upload answered ${r.status}`);
          await r.body?.cancel();
        }),
      );
    }
  });
  results.push({
    name: "ingest (HTTP app)",
    dip: texts.length / (dip / 1000),
    raw: texts.length / (raw / 1000),
    unit: "docs/s",
    ratio: raw / dip,
    note: "upload rate ÷ bare XADD rate, 16 concurrent",
  });

  // 3. the whole pipeline over the documents just ingested, with the real handlers
  say(`pipeline: raw baseline, three bare hops over ${texts.length} events`);
  const rawStreams = [1, 2, 3, 4].map((i) => `${k.prefix}:raw:p${i}`);
  const rows = await redis.xrange(k.stream("document.ingested"), "-", "+");
  await fill(rawStreams[0]!, rows.map(([, f]) => f[1]!));
  const rawPipe = await time(() =>
    Promise.all(
      [0, 1, 2].map((i) => rawHop(rawStreams[i]!, rawStreams[i + 1]!, `raw${i}`, texts.length)),
    ).then(() => {})
  );
  say(`pipeline: classification, routing and response over ${texts.length} documents`);
  const model = await loadModel(`${ROOT}services/classification/model.json`);
  const rules = await loadRules(`${ROOT}services/routing/routes.json`);
  const templates = await loadTemplates(`${ROOT}services/response/templates`);
  const controller = new AbortController();
  const dipPipe = await time(async () => {
    const stages = [
      stage(
        k,
        "classification",
        "com.dip.document.ingested",
        classificationHandler(localClassifier(() => model), (ref) => redis.get(ref)),
        controller.signal,
      ),
      stage(
        k,
        "routing",
        "com.dip.document.classified",
        routingHandler(() => rules, {
          ingested: async (id) => (await readRecords(redis, k, id)).ingested,
          text: (ref) => redis.get(ref),
        }),
        controller.signal,
      ),
      stage(
        k,
        "response",
        "com.dip.routing.decided",
        responseHandler(
          () => templates,
          {
            records: (id) => readRecords(redis, k, id),
            text: (ref) => redis.get(ref),
            store: (ref, body) => redis.set(ref, body),
          },
          webhookSender({ secret: undefined }),
          (id) => k.response(id),
        ),
        controller.signal,
      ),
    ];
    await until(async () => (await redis.xlen(k.stream("response.generated"))) >= texts.length);
    controller.abort();
    await Promise.all(stages.map((s) => s.done));
  });
  results.push({
    name: "pipeline (3 stages)",
    dip: texts.length / (dipPipe / 1000),
    raw: texts.length / (rawPipe / 1000),
    unit: "docs/s",
    ratio: rawPipe / dipPipe,
    note: "end-to-end rate ÷ three bare hops",
  });
  const latency = (await redis.lrange(k.latency("response"), 0, -1)).map(Number).sort((a, b) =>
    a - b
  );
  if (latency.length) {
    say(
      `pipeline: response-stage latency p50 ${
        latency[Math.floor(latency.length / 2)]
      } ms (under full backlog)`,
    );
  }
}

// 4. training
{
  const size = Math.max(N * 4, 20_000);
  const corpus = buildCorpus(Math.ceil(size / 8), 0.01, 5).train;
  for (const algorithm of ["complement-nb", "logistic-regression"] as const) {
    say(`train: ${corpus.length} documents, ${algorithm}`);
    const ms = await time(() => Promise.resolve(void train(corpus, { algorithm })));
    results.push({
      name: `training (${algorithm === "complement-nb" ? "naive Bayes" : "log. regression"})`,
      dip: corpus.length / (ms / 1000),
      raw: null,
      unit: "docs/s",
      ratio: null,
      note: `${corpus.length} docs in ${(ms / 1000).toFixed(1)} s`,
    });
  }
}

redis.disconnect();
await server.stop();

if (values.json) {
  console.log(JSON.stringify({ n: N, results }, null, 2));
} else {
  console.log(
    `\ndip bench, n = ${N} (raw = the same work done with bare Redis commands, same server, same run)\n`,
  );
  console.log(
    `${"measure".padEnd(28)} ${"dip".padStart(12)} ${"raw redis".padStart(12)}  ratio   note`,
  );
  for (const r of results) {
    const fmt = (x: number | null) => (x === null ? "–" : `${Math.round(x)}`).padStart(12);
    console.log(
      `${r.name.padEnd(28)} ${fmt(r.dip)} ${fmt(r.raw)}  ${
        r.ratio === null ? "  –  " : `${r.ratio.toFixed(2)}×`
      }   ${r.unit}; ${r.note}`,
    );
  }
}
Deno.exit(0);
