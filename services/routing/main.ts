/** Composition root of the routing service. */
import { loadConfig } from "../../shared/config.ts";
import { printedHelp } from "../../shared/usage.ts";
import { readRecords } from "../../shared/documents.ts";
import { createLogger } from "../../shared/log.ts";
import { runWorker } from "../../shared/worker.ts";
import { routingHandler } from "./route.ts";
import { loadRules, RulesHolder } from "./rules_file.ts";

if (printedHelp(Deno.args, "routing")) Deno.exit(0);
const config = loadConfig(Deno.env.toObject());
const log = createLogger("routing", config.logLevel);
const holder = new RulesHolder(await loadRules(config.routesPath), config.routesPath, log);
holder.watch();
const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => controller.abort());
}

await runWorker(
  config,
  {
    group: "routing",
    input: "com.dip.document.classified",
    build: ({ redis, keys }) => ({
      handler: routingHandler(holder.current, {
        ingested: async (id) => (await readRecords(redis, keys, id)).ingested,
        text: (ref) => redis.get(ref),
      }),
    }),
  },
  controller.signal,
  { host: Deno.hostname(), pid: Deno.pid },
);
holder.stop();
Deno.exit(0);
