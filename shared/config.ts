/**
 * Configuration from the environment, checked once at start. Every name is documented in the
 * README; a bad value stops the service with a message naming the variable and the value.
 */
import { z } from "zod";
import { checkRedisUrl } from "./redis.ts";
import type { Level } from "./log.ts";
import type { StagePolicy } from "./stage.ts";

/** An API key and the roles it grants. */
export interface ApiKey {
  /** A short id for logs and key names (never the secret). */
  id: string;
  secret: string;
  roles: Set<"ingest" | "read" | "admin">;
}

/** The whole configuration of a dip process. */
export interface Config {
  redisUrl: string;
  prefix: string;
  logLevel: Level;
  /** Ingestion HTTP port (PORT, default 8080). */
  port: number;
  /** Ingestion bind address (HOST, default 127.0.0.1). */
  host: string;
  /** A worker's health port (HEALTH_PORT, default 0 = off). */
  healthPort: number;
  apiKeys: ApiKey[];
  /** Stage tuning; only the variables that are set. */
  policy: Partial<StagePolicy>;
  /** Largest accepted upload in bytes (DIP_MAX_BODY_BYTES, default 25 MiB). */
  maxBodyBytes: number;
  /** Lag of the first group above which uploads get 503 (DIP_BACKPRESSURE_LAG, default 10000). */
  backpressureLag: number;
  /** Idempotency-Key answers are kept this long (DIP_IDEMPOTENCY_TTL_S, default 86400). */
  idempotencyTtlS: number;
  /** Documents older than this are deleted, in seconds; 0 = keep forever (DIP_DOCUMENT_TTL_S, default 0). */
  documentTtlS: number;
  /** Uploads per second per API key, 0 = no limit (DIP_RATE_LIMIT_RPS, default 0). */
  rateLimitRps: number;
  /** Burst size of the rate limit (DIP_RATE_LIMIT_BURST, default 2 × rps). */
  rateLimitBurst: number;
  /** Classifier model file (DIP_MODEL, default services/classification/model.json). */
  modelPath: string;
  /** Routing rules file (DIP_ROUTES, default services/routing/routes.json). */
  routesPath: string;
  /** Response templates folder (DIP_TEMPLATES, default services/response/templates). */
  templatesDir: string;
  /** Secret for signing webhooks, Standard Webhooks `whsec_…` form (DIP_WEBHOOK_SECRET). */
  webhookSecret: string | undefined;
  /** Hosts that webhooks may reach although they are private/loopback (DIP_WEBHOOK_ALLOW_HOSTS). */
  webhookAllowHosts: string[];
  /** OpenTelemetry exporter: `console` or unset (OTEL_TRACES_EXPORTER). */
  tracesExporter: "console" | undefined;
  /** OpenAI-compatible classification backend (DIP_LLM_URL, DIP_LLM_MODEL, DIP_LLM_KEY). */
  llm: { url: string; model: string; key: string | undefined; timeoutMs: number } | undefined;
}

const int = (name: string, min = 0) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name} must be an integer ≥ ${min} (got "${value}")`);
  }
  return n;
};

function parseApiKeys(text: string): ApiKey[] {
  // "id:secret:role1+role2,id2:secret2:ingest"
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((item) => {
    const [id, secret, roles = "ingest+read"] = item.split(":");
    if (!id || !secret || secret.length < 16) {
      throw new Error(
        `DIP_API_KEYS entry "${
          id ?? ""
        }" must be id:secret[:roles] with a secret of 16+ characters`,
      );
    }
    const list = roles.split("+");
    for (const role of list) {
      if (!["ingest", "read", "admin"].includes(role)) {
        throw new Error(
          `DIP_API_KEYS entry "${id}" has unknown role "${role}" (ingest, read, admin)`,
        );
      }
    }
    return { id, secret, roles: new Set(list as ("ingest" | "read" | "admin")[]) };
  });
}

const POLICY_VARS: [keyof StagePolicy, string][] = [
  ["concurrency", "DIP_CONCURRENCY"],
  ["blockMs", "DIP_BLOCK_MS"],
  ["visibilityTimeoutMs", "DIP_VISIBILITY_TIMEOUT_MS"],
  ["maxAttempts", "DIP_MAX_ATTEMPTS"],
  ["retryBaseMs", "DIP_RETRY_BASE_MS"],
  ["retryCapMs", "DIP_RETRY_CAP_MS"],
  ["retryPollMs", "DIP_RETRY_POLL_MS"],
  ["handlerTimeoutMs", "DIP_HANDLER_TIMEOUT_MS"],
  ["markerTtlMs", "DIP_MARKER_TTL_MS"],
  ["drainTimeoutMs", "DIP_DRAIN_TIMEOUT_MS"],
  ["consumerIdleMs", "DIP_CONSUMER_IDLE_MS"],
  ["retentionMs", "DIP_RETENTION_MS"],
  ["housekeepingMs", "DIP_HOUSEKEEPING_MS"],
  ["watchdogMs", "DIP_WATCHDOG_MS"],
];

/**
 * Reads the configuration from an environment record. Throws one Error whose message names the
 * variable and value at fault, e.g. `REDIS_URL is not a redis:// URL (got "x")`.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v === "" ? undefined : v;
  };
  const policy: Partial<StagePolicy> = {};
  for (const [field, name] of POLICY_VARS) {
    const v = get(name);
    if (v !== undefined) {
      policy[field] = int(name, field === "maxAttempts" || field === "concurrency" ? 1 : 0)(v);
    }
  }
  const level = get("LOG_LEVEL") ?? "info";
  if (!["debug", "info", "warn", "error"].includes(level)) {
    throw new Error(`LOG_LEVEL must be debug, info, warn or error (got "${level}")`);
  }
  const prefix = get("DIP_PREFIX") ?? "dip";
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new Error(`DIP_PREFIX may hold letters, digits, _ . - only (got "${prefix}")`);
  }
  const exporter = get("OTEL_TRACES_EXPORTER");
  if (exporter !== undefined && exporter !== "console" && exporter !== "none") {
    throw new Error(`OTEL_TRACES_EXPORTER must be console or none (got "${exporter}")`);
  }
  const secret = get("DIP_WEBHOOK_SECRET");
  if (secret !== undefined && !/^whsec_[A-Za-z0-9+/=]{16,}$/.test(secret)) {
    throw new Error("DIP_WEBHOOK_SECRET must be whsec_ followed by base64 of 16+ bytes");
  }
  const llmUrl = get("DIP_LLM_URL");
  const rps = int("DIP_RATE_LIMIT_RPS")(get("DIP_RATE_LIMIT_RPS") ?? "0");
  return {
    redisUrl: checkRedisUrl(get("REDIS_URL") ?? "redis://127.0.0.1:6379"),
    prefix,
    logLevel: level as Level,
    port: int("PORT")(get("PORT") ?? "8080"),
    host: get("HOST") ?? "127.0.0.1",
    healthPort: int("HEALTH_PORT")(get("HEALTH_PORT") ?? "0"),
    apiKeys: parseApiKeys(get("DIP_API_KEYS") ?? ""),
    policy,
    maxBodyBytes: int("DIP_MAX_BODY_BYTES", 1)(
      get("DIP_MAX_BODY_BYTES") ?? String(25 * 1024 * 1024),
    ),
    backpressureLag: int("DIP_BACKPRESSURE_LAG", 1)(get("DIP_BACKPRESSURE_LAG") ?? "10000"),
    idempotencyTtlS: int("DIP_IDEMPOTENCY_TTL_S", 1)(get("DIP_IDEMPOTENCY_TTL_S") ?? "86400"),
    documentTtlS: int("DIP_DOCUMENT_TTL_S")(get("DIP_DOCUMENT_TTL_S") ?? "0"),
    rateLimitRps: rps,
    rateLimitBurst: int("DIP_RATE_LIMIT_BURST", 1)(
      get("DIP_RATE_LIMIT_BURST") ?? String(Math.max(1, rps * 2)),
    ),
    modelPath: get("DIP_MODEL") ?? "services/classification/model.json",
    routesPath: get("DIP_ROUTES") ?? "services/routing/routes.json",
    templatesDir: get("DIP_TEMPLATES") ?? "services/response/templates",
    webhookSecret: secret,
    webhookAllowHosts: (get("DIP_WEBHOOK_ALLOW_HOSTS") ?? "").split(",").map((s) => s.trim())
      .filter(Boolean),
    tracesExporter: exporter === "console" ? "console" : undefined,
    llm: llmUrl
      ? {
        url: z.url().parse(llmUrl),
        model: get("DIP_LLM_MODEL") ?? "gpt-4o-mini",
        key: get("DIP_LLM_KEY"),
        timeoutMs: int("DIP_LLM_TIMEOUT_MS", 1)(get("DIP_LLM_TIMEOUT_MS") ?? "5000"),
      }
      : undefined,
  };
}
