/**
 * End-to-end harness: the real services as subprocesses against a private redis-server, with
 * ways to kill (SIGKILL), stop (SIGTERM) and restart any of them.
 */
import { freePort } from "../shared/redis_server.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** A running service process. */
interface Proc {
  service: string;
  child: Deno.ChildProcess;
}

/** The pipeline under test. */
export interface Pipeline {
  url: string;
  /** Names of the running worker processes, e.g. `classification#1` (the gateway is `ingestion`). */
  workers(): string[];
  kill(name: string, signal?: Deno.Signal): Promise<void>;
  restart(name: string): void;
  stop(): Promise<void>;
}

/** Options for {@link startPipeline}. */
export interface PipelineOptions {
  redisUrl: string;
  prefix: string;
  /** Processes per consuming service; default 1. */
  replicas?: number;
  env?: Record<string, string>;
  /** Folder for the processes' logs; default a temporary one. */
  logDir?: string;
}

/** Starts ingestion and the three workers; resolves when the gateway answers. */
export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const port = freePort();
  const logDir = o.logDir ?? Deno.makeTempDirSync({ prefix: "dip-e2e-" });
  const env = {
    REDIS_URL: o.redisUrl,
    DIP_PREFIX: o.prefix,
    PORT: String(port),
    LOG_LEVEL: "warn",
    DIP_VISIBILITY_TIMEOUT_MS: "1000",
    DIP_BLOCK_MS: "200",
    DIP_RETRY_BASE_MS: "100",
    DIP_RETRY_CAP_MS: "1000",
    DIP_DRAIN_TIMEOUT_MS: "5000",
    ...o.env,
  };
  const procs = new Map<string, Proc>();
  const spawn = (name: string, service: string) => {
    const log = Deno.openSync(`${logDir}/${name.replace("#", "-")}.log`, {
      append: true,
      create: true,
    });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unsafe-proto", `${ROOT}services/${service}/main.ts`],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    child.stderr.pipeTo(log.writable).catch(() => {});
    procs.set(name, { service, child });
  };
  spawn("ingestion", "ingestion");
  for (const service of ["classification", "routing", "response"]) {
    for (let i = 1; i <= (o.replicas ?? 1); i++) spawn(`${service}#${i}`, service);
  }
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    const ok = await fetch(`${url}/readyz`).then((r) => (r.body?.cancel(), r.ok), () => false);
    if (ok) break;
    if (i > 300) throw new Error(`the gateway did not become ready; logs in ${logDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const kill = async (name: string, signal: Deno.Signal = "SIGKILL") => {
    const p = procs.get(name);
    if (!p) return;
    try {
      p.child.kill(signal);
    } catch { /* gone */ }
    await p.child.status;
  };
  return {
    url,
    workers: () => [...procs.keys()].filter((n) => n !== "ingestion"),
    kill,
    restart(name) {
      const p = procs.get(name);
      if (p) spawn(name, p.service);
    },
    async stop() {
      await Promise.all([...procs.keys()].map((n) => kill(n, "SIGTERM")));
    },
  };
}

/** Uploads `texts` as text/plain with `parallel` requests at a time; returns the document ids. */
export async function uploadAll(url: string, texts: string[], parallel = 16): Promise<string[]> {
  const ids: string[] = new Array(texts.length);
  const keys = texts.map(() => crypto.randomUUID());
  let next = 0;
  const worker = async () => {
    while (next < texts.length) {
      const i = next++;
      // like a well-behaved client: retry with the same key, honouring Retry-After, for up to
      // 30 s (a killed gateway leaves its request's key claimed, 409, for up to 10 s)
      for (const deadline = Date.now() + 30_000;;) {
        const res = await fetch(`${url}/documents`, {
          method: "POST",
          headers: { "content-type": "text/plain", "idempotency-key": keys[i]! },
          body: texts[i]!,
        }).catch((error) => error as Error);
        if (res instanceof Response && res.status === 202) {
          ids[i] = (await res.json()).documentId;
          break;
        }
        if (res instanceof Response) await res.body?.cancel();
        if (Date.now() > deadline) {
          throw new Error(`upload ${i} failed: ${res instanceof Response ? res.status : res}`);
        }
        const retryAfter = res instanceof Response
          ? Number(res.headers.get("retry-after")) || 0
          : 0;
        await new Promise((r) => setTimeout(r, Math.max(100, retryAfter * 1000)));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}
