/**
 * Runs one consuming service: connects Redis, runs the stage with the standard middleware,
 * serves health on HEALTH_PORT when set, and closes everything when the signal aborts.
 */
import type { Config } from "./config.ts";
import type { DipEvent, EventType } from "./events.ts";
import { createBaseApp } from "./http.ts";
import { type Keys, keys } from "./keys.ts";
import { createLogger, type Logger } from "./log.ts";
import { timeout } from "./middleware/timeout.ts";
import { tracing } from "./middleware/tracing.ts";
import type { Handler } from "./middleware/types.ts";
import { validateOutputs } from "./middleware/validation.ts";
import { connectRedis, type Redis } from "./redis.ts";
import { defaultPolicy, runStage } from "./stage.ts";
import { installTracing } from "./telemetry.ts";

/** What a worker service provides. */
export interface WorkerSpec {
  /** Service and consumer group name. */
  group: string;
  input: EventType;
  /** Builds the stage's handler with the worker's own Redis connection, keys and logger. */
  build(context: WorkerContext): {
    handler: Handler;
    /** Further streams an output event also goes to. */
    copies?: (output: DipEvent) => string[];
  };
}

/** What a worker lends the service it runs: one Redis connection for commands, keys, a logger. */
export interface WorkerContext {
  redis: Redis;
  keys: Keys;
  logger: Logger;
}

/** A unique consumer name for this process: service, host, pid and a random tag. */
export function consumerName(group: string, host: string, pid: number): string {
  return `${group}-${host}-${pid}-${crypto.randomUUID().slice(0, 4)}`;
}

/** Runs the worker until `signal` aborts and its stage has drained. */
export async function runWorker(
  config: Config,
  spec: WorkerSpec,
  signal: AbortSignal,
  process: { host: string; pid: number },
): Promise<void> {
  installTracing(config.tracesExporter);
  const logger = createLogger(spec.group, config.logLevel);
  const redis = connectRedis(config.redisUrl, { name: `dip-${spec.group}` });
  const k = keys(config.prefix);
  const { handler, copies } = spec.build({ redis, keys: k, logger });
  const consumer = consumerName(spec.group, process.host, process.pid);
  const handlerTimeoutMs = config.policy.handlerTimeoutMs ?? defaultPolicy.handlerTimeoutMs;
  const stage = runStage({
    redis,
    keys: k,
    group: spec.group,
    consumer,
    input: spec.input,
    handler,
    middleware: [tracing(spec.group), timeout(handlerTimeoutMs), validateOutputs],
    signal,
    logger,
    policy: config.policy,
    ...(copies ? { copies } : {}),
  });
  let server: Deno.HttpServer | undefined;
  if (config.healthPort > 0) {
    const app = createBaseApp(logger, () => {
      const h = stage.health();
      return { redis: h.redis === "ready" || h.redis, polling: h.ready };
    });
    server = Deno.serve(
      { port: config.healthPort, hostname: config.host, onListen() {} },
      app.fetch,
    );
  }
  await stage.done;
  await server?.shutdown();
  await redis.quit().catch(() => redis.disconnect());
}
