/**
 * A private `redis-server` child process: used by `deno task start` when REDIS_URL is unset and
 * by the tests (each test file gets its own server on a free port; never a fake).
 */

/** Options for {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Port to listen on; default: a free one. */
  port?: number;
  /** Data folder; with it the server keeps an append-only file there. Default: no persistence. */
  dir?: string;
  /** `appendfsync` policy when persistent; default `everysec`. */
  fsync?: "always" | "everysec";
  /** Where the server's own log goes; default: discarded. */
  logFile?: string;
}

/** A running private Redis server. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, so an AOF server flushes) and waits for it. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data folder. */
  restart(): Promise<void>;
}

/** Finds a free TCP port on the loopback interface. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Returns the path of `redis-server` on PATH, or undefined. */
export function findRedisServer(): string | undefined {
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of path.split(":")) {
    const candidate = `${dir}/redis-server`;
    try {
      if (Deno.statSync(candidate).isFile) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function waitForPort(port: number, child: Deno.ChildProcess, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(64);
      const n = await conn.read(buf);
      conn.close();
      if (n && new TextDecoder().decode(buf.subarray(0, n)).startsWith("+PONG")) return;
    } catch {
      // not up yet
    }
    const exited = await Promise.race([
      child.status.then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 50)),
    ]);
    if (exited) throw new Error(`redis-server on port ${port} exited during start`);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
}

/** Starts a private redis-server and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      "Cannot start Redis: no redis-server on PATH (install redis-server or set REDIS_URL)",
    );
  }
  const port = options.port ?? freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", ""];
  if (options.dir) {
    Deno.mkdirSync(options.dir, { recursive: true });
    args.push(
      "--dir",
      options.dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      options.fsync ?? "everysec",
    );
  } else {
    args.push("--appendonly", "no");
  }
  args.push("--logfile", options.logFile ?? "");
  let child: Deno.ChildProcess;
  const spawn = async () => {
    child = new Deno.Command(binary, { args, stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
    await waitForPort(port, child);
  };
  const waitExit = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    await child.status;
  };
  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => waitExit("SIGTERM"),
    kill: () => waitExit("SIGKILL"),
    restart: spawn,
  };
}
