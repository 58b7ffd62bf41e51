/**
 * `deno task start`: the whole pipeline in one command. Without REDIS_URL it starts a private
 * redis-server with an append-only file under .dip-data/redis; then it runs the four services
 * as child processes, restarts one that dies, and stops everything cleanly on Ctrl-C.
 */
import { parseArgs } from "node:util";
import { findRedisServer, type RedisServer, startRedisServer } from "../shared/redis_server.ts";
import { sleep } from "../shared/backoff.ts";

const USAGE = `Usage: deno task start [--data DIR] [--replicas N]

Runs Redis (unless REDIS_URL is set), ingestion, classification, routing and response.
  --data DIR       where the private Redis keeps its append-only file (default .dip-data)
  --replicas N     processes per consuming service (default 1)
  --help           this text

Environment: REDIS_URL, PORT (default 8080), DIP_PREFIX, LOG_LEVEL and the others in README.md.`;

const SERVICES = ["ingestion", "classification", "routing", "response"] as const;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: ".dip-data" },
    replicas: { type: "string", default: "1" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const replicas = Number(values.replicas);
if (!Number.isInteger(replicas) || replicas < 1) {
  console.error(`error: --replicas must be a whole number ≥ 1 (got "${values.replicas}")`);
  Deno.exit(2);
}

const say = (line: string) => console.error(`[dip] ${line}`);
let redis: RedisServer | undefined;
let redisUrl = Deno.env.get("REDIS_URL");
if (!redisUrl) {
  if (!findRedisServer()) {
    console.error(
      "Cannot start: no redis-server on PATH and REDIS_URL is unset. Install Redis (apt-get install redis-server) or set REDIS_URL=redis://host:6379.",
    );
    Deno.exit(1);
  }
  const dir = `${Deno.cwd()}/${values.data}/redis`;
  redis = await startRedisServer({ dir, logFile: `${dir}/redis.log`, fsync: "everysec" });
  redisUrl = redis.url;
  say(`started a private Redis at ${redisUrl} (append-only file in ${dir})`);
}

const root = new URL("..", import.meta.url).pathname;
const stopping = { now: false };
const children = new Map<string, Deno.ChildProcess>();

async function supervise(service: string, name: string): Promise<void> {
  let restarts = 0;
  while (!stopping.now) {
    const started = Date.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unsafe-proto", `${root}services/${service}/main.ts`],
      env: { REDIS_URL: redisUrl! },
      stdin: "null",
    }).spawn();
    children.set(name, child);
    const status = await child.status;
    children.delete(name);
    if (stopping.now) return;
    restarts = Date.now() - started > 30_000 ? 0 : restarts + 1;
    const wait = Math.min(10_000, 250 * 2 ** restarts);
    say(
      `${name} exited (code ${status.code}${
        status.signal ? `, ${status.signal}` : ""
      }); restarting in ${wait} ms`,
    );
    await sleep(wait);
  }
}

const supervisors = SERVICES.flatMap((service) =>
  Array.from(
    { length: service === "ingestion" ? 1 : replicas },
    (_, i) => supervise(service, replicas > 1 ? `${service}#${i + 1}` : service),
  )
);

const port = Deno.env.get("PORT") ?? "8080";
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 200 && !stopping.now; i++) {
  const ok = await fetch(`${url}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false);
  if (ok) {
    say(
      `pipeline running: ${url}  (try: curl -X POST -H 'content-type: text/plain' --data 'Invoice INV-1001, amount due 120.00 EUR' ${url}/documents)`,
    );
    say("press Ctrl-C to stop");
    break;
  }
  await sleep(100);
}

async function shutdown() {
  if (stopping.now) return;
  stopping.now = true;
  say("stopping services…");
  for (const child of children.values()) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
  }
  const drained = await Promise.race([
    Promise.all(supervisors).then(() => true),
    sleep(15_000).then(() => false),
  ]);
  if (!drained) {
    for (const child of children.values()) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  }
  if (redis) {
    say("stopping Redis (its append-only file keeps the data)…");
    await redis.stop();
  }
  say("stopped");
  Deno.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, shutdown);
await Promise.all(supervisors);
