/** `--help` for the service entry points: what each service does and the settings it reads. */

const COMMON = `Settings (environment; README.md lists them all):
  REDIS_URL        Redis to use (default redis://127.0.0.1:6379)
  DIP_PREFIX       key prefix (default dip)
  LOG_LEVEL        debug | info | warn | error (default info); JSON lines on stderr
  DIP_CONCURRENCY, DIP_VISIBILITY_TIMEOUT_MS, DIP_MAX_ATTEMPTS, DIP_RETRY_BASE_MS, DIP_RETRY_CAP_MS,
  DIP_DRAIN_TIMEOUT_MS, DIP_WATCHDOG_MS, …   stage tuning`;

const HEALTH = "  HEALTH_PORT      /healthz and /readyz (default 0 = off)";

const SERVICES = {
  ingestion: {
    about: "The HTTP gateway: uploads, status API, pipeline figures, DLQ, live feed, dashboard.",
    settings: [
      "  PORT, HOST       address (default 8080 on 127.0.0.1)",
      "  DIP_API_KEYS     id:secret:roles,… (without keys: open, loopback only)",
      "  DIP_MAX_BODY_BYTES, DIP_BACKPRESSURE_LAG, DIP_IDEMPOTENCY_TTL_S, DIP_RATE_LIMIT_RPS, DIP_DOCUMENT_TTL_S",
    ],
  },
  classification: {
    about:
      "Reads document.ingested, classifies the text, emits document.classified. SIGHUP reloads the model.",
    settings: [
      "  DIP_MODEL        model file (default services/classification/model.json)",
      "  DIP_LLM_URL, DIP_LLM_MODEL, DIP_LLM_KEY, DIP_LLM_TIMEOUT_MS   optional chat-completions backend",
      HEALTH,
    ],
  },
  routing: {
    about:
      "Reads document.classified, applies the routing rules, emits routing.decided. Reloads the rules file when it changes.",
    settings: [
      "  DIP_ROUTES       rules file, JSON or YAML (default services/routing/routes.json)",
      HEALTH,
    ],
  },
  response: {
    about: "Reads routing.decided, renders and delivers the response, emits response.generated.",
    settings: [
      "  DIP_TEMPLATES    templates folder (default services/response/templates)",
      "  DIP_WEBHOOK_SECRET, DIP_WEBHOOK_ALLOW_HOSTS   webhook signing and SSRF allow-list",
      HEALTH,
    ],
  },
};

/** If `args` asks for help, prints `service`'s usage and returns true. */
export function printedHelp(args: string[], service: keyof typeof SERVICES): boolean {
  if (!args.includes("--help") && !args.includes("-h")) return false;
  const { about, settings } = SERVICES[service];
  console.log(`Usage: deno task ${service}\n\n${about}\n\n${COMMON}\n${settings.join("\n")}`);
  return true;
}
