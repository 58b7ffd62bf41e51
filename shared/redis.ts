/** Redis connections: one factory so every service reconnects the same way. */
import { Redis } from "ioredis";

export type { Redis };

/** Options for {@link connectRedis}. */
export interface RedisOptions {
  /** Name shown in `CLIENT LIST`; default `dip`. */
  name?: string;
  /** Longest wait between reconnect attempts in ms; default 2000. */
  maxReconnectDelayMs?: number;
}

/**
 * Opens a client for `url` that reconnects forever with capped exponential backoff and keeps
 * commands queued while disconnected, so a Redis restart costs latency, not work.
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const cap = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis(url, {
    connectionName: options.name ?? "dip",
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(cap, 50 * 2 ** Math.min(times, 10)),
    reconnectOnError: (error) =>
      error.message.startsWith("READONLY") || error.message.startsWith("LOADING"),
  });
  // Connection errors are retried by ioredis; without a listener they would be printed as
  // unhandled. Readiness reports the state instead.
  client.on("error", () => {});
  return client;
}

/** Checks that `url` is a redis:// or rediss:// URL, naming the problem when it is not. */
export function checkRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`REDIS_URL is not a URL (got "${url}")`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new Error(`REDIS_URL is not a redis:// URL (got "${url}")`);
  }
  return url;
}
