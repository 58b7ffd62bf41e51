/** Composition root of the ingestion gateway. */
import { loadConfig } from "../../shared/config.ts";
import { printedHelp } from "../../shared/usage.ts";
import { keys } from "../../shared/keys.ts";
import { createLogger } from "../../shared/log.ts";
import { connectRedis } from "../../shared/redis.ts";
import { sweepEvery } from "../../shared/retention.ts";
import { installTracing } from "../../shared/telemetry.ts";
import { createGateway } from "./app.ts";

if (printedHelp(Deno.args, "ingestion")) Deno.exit(0);
const config = loadConfig(Deno.env.toObject());
const logger = createLogger("ingestion", config.logLevel);
const loopback = ["127.0.0.1", "::1", "localhost"].includes(config.host);
if (config.apiKeys.length === 0 && !loopback) {
  console.error(
    `Cannot start: no DIP_API_KEYS are configured and HOST is ${config.host}; an open gateway may only bind to loopback.`,
  );
  Deno.exit(1);
}
if (config.apiKeys.length === 0) {
  logger.warn(
    "NO API KEYS CONFIGURED: the gateway is open to anyone on this machine (loopback only). Set DIP_API_KEYS.",
  );
}
installTracing(config.tracesExporter);
const redis = connectRedis(config.redisUrl, { name: "dip-ingestion" });
const app = createGateway({ redis, keys: keys(config.prefix), config, logger });
const server = Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) =>
    logger.info("ingestion listening", { url: `http://${hostname}:${port}` }),
}, app.fetch);
const stopping = new AbortController();
if (config.documentTtlS > 0) {
  sweepEvery(
    redis,
    keys(config.prefix),
    config.documentTtlS * 1000,
    60_000,
    stopping.signal,
    (deleted) => logger.info("deleted expired documents", { deleted, ttlS: config.documentTtlS }),
  );
}
const stop = async () => {
  stopping.abort();
  await server.shutdown();
  redis.disconnect();
  Deno.exit(0);
};
for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, stop);
