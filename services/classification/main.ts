/** Composition root of the classification service. */
import { loadConfig } from "../../shared/config.ts";
import { printedHelp } from "../../shared/usage.ts";
import { createLogger } from "../../shared/log.ts";
import { runWorker } from "../../shared/worker.ts";
import { CircuitBreakers } from "../../shared/breaker.ts";
import { classificationHandler, localClassifier } from "./classify.ts";
import { llmClassifier } from "./llm.ts";
import { loadModel, ModelHolder } from "./model_file.ts";

if (printedHelp(Deno.args, "classification")) Deno.exit(0);
const config = loadConfig(Deno.env.toObject());
const log = createLogger("classification", config.logLevel);
const holder = new ModelHolder(await loadModel(config.modelPath), config.modelPath);
log.info("model loaded", {
  name: holder.current().name,
  version: holder.current().version,
  path: config.modelPath,
});

const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => controller.abort());
}
Deno.addSignalListener("SIGHUP", () => {
  holder.reload().then(
    (m) => log.info("model reloaded", { name: m.name, version: m.version }),
    (error) =>
      log.error("model reload failed; keeping the current model", { error: String(error) }),
  );
});

const local = localClassifier(holder.current);
const classify = config.llm
  ? llmClassifier({
    ...config.llm,
    labels: () => holder.current().labels,
    breakers: new CircuitBreakers(),
    logger: log,
  }, local)
  : local;
if (config.llm) {
  log.info("LLM backend configured; the local model is the fallback", {
    url: config.llm.url,
    model: config.llm.model,
  });
}

await runWorker(
  config,
  {
    group: "classification",
    input: "com.dip.document.ingested",
    build: ({ redis }) => ({ handler: classificationHandler(classify, (ref) => redis.get(ref)) }),
  },
  controller.signal,
  { host: Deno.hostname(), pid: Deno.pid },
);
Deno.exit(0);
