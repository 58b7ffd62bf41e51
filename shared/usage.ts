/** `--help` for the service entry points: what the service does and the settings it reads. */

const COMMON = `Settings (environment; README.md lists them all):
  REDIS_URL        Redis to use (default redis://127.0.0.1:6379)
  DIP_PREFIX       key prefix (default dip)
  LOG_LEVEL        debug | info | warn | error (default info); JSON lines on stderr
  DIP_CONCURRENCY, DIP_VISIBILITY_TIMEOUT_MS, DIP_MAX_ATTEMPTS, DIP_RETRY_BASE_MS, DIP_RETRY_CAP_MS,
  DIP_DRAIN_TIMEOUT_MS, DIP_WATCHDOG_MS, …   stage tuning`;

/** If `args` asks for help, prints `name`'s usage and returns true. */
export function printedHelp(args: string[], name: string, about: string, settings = ""): boolean {
  if (!args.includes("--help") && !args.includes("-h")) return false;
  console.log(
    `Usage: deno task ${name}\n\n${about}\n\n${COMMON}${settings ? `\n${settings}` : ""}`,
  );
  return true;
}
