/** Composition root of the response service. */
import { loadConfig } from "../../shared/config.ts";
import { printedHelp } from "../../shared/usage.ts";
import { readRecords } from "../../shared/documents.ts";
import { runWorker } from "../../shared/worker.ts";
import { webhookSender } from "./deliver.ts";
import { loadTemplates } from "./render.ts";
import { responseHandler } from "./respond.ts";

if (printedHelp(Deno.args, "response")) Deno.exit(0);
const config = loadConfig(Deno.env.toObject());
const templates = await loadTemplates(config.templatesDir);
const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => controller.abort());
}

await runWorker(
  config,
  {
    group: "response",
    input: "com.dip.routing.decided",
    build: ({ redis, keys: k }) => ({
      handler: responseHandler(
        () => templates,
        {
          records: (id) => readRecords(redis, k, id),
          text: (ref) => redis.get(ref),
          store: (ref, body) => redis.set(ref, body),
        },
        webhookSender({ secret: config.webhookSecret, allowHosts: config.webhookAllowHosts }),
        (id) => k.response(id),
      ),
      // team queues get the response event in the same atomic hand-off
      copies: (output) =>
        output.type === "com.dip.response.generated"
          ? output.data.delivery.flatMap((d) =>
            d.status === "queued" ? [k.queue(d.destination.slice("queue:".length))] : []
          )
          : [],
    }),
  },
  controller.signal,
  { host: Deno.hostname(), pid: Deno.pid },
);
Deno.exit(0);
