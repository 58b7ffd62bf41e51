import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, type TestRedis, testRedis } from "../shared/_testing.ts";
import { train } from "../services/classification/model.ts";
import { ingest } from "../services/ingestion/ingest.ts";
import { buildCorpus } from "../tools/corpus.ts";
import { eventsByDocument } from "./_checks.ts";

const ROOT = new URL("..", import.meta.url).pathname;

describe("classification reloads its model on SIGHUP under load", () => {
  let t: TestRedis;
  let dir: string;
  before(async () => {
    t = await testRedis();
    dir = Deno.makeTempDirSync({ prefix: "dip-reload-" });
  });
  after(async () => {
    await t.close();
    Deno.removeSync(dir, { recursive: true });
  });

  it("switches versions between documents without dropping any, and ignores a broken file", async () => {
    const k = t.freshKeys();
    const corpus = buildCorpus(12, 0.1, 21).train;
    const modelPath = `${dir}/model.json`;
    Deno.writeTextFileSync(
      modelPath,
      JSON.stringify(train(corpus, { name: "reload", version: "A" })),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}services/classification/main.ts`],
      env: {
        REDIS_URL: t.server.url,
        DIP_PREFIX: k.prefix,
        DIP_MODEL: modelPath,
        DIP_BLOCK_MS: "100",
        LOG_LEVEL: "warn",
      },
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const send = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const text = corpus[i % corpus.length]!.text;
          const body = new TextEncoder().encode(text);
          await ingest(t.redis, k, {
            body,
            contentType: "text/plain",
            text,
            metadata: {},
            source: "test",
          });
        }
      };
      await send(100);
      // the service is up (its SIGHUP handler installed) once it has classified something
      await eventually(
        async () => (await t.redis.xlen(k.stream("document.classified"))) > 0,
        30_000,
        "service up",
      );
      Deno.writeTextFileSync(
        modelPath,
        JSON.stringify(train(corpus, { name: "reload", version: "B" })),
      );
      child.kill("SIGHUP");
      await send(100);
      await eventually(
        async () => (await t.redis.xlen(k.stream("document.classified"))) === 200,
        30_000,
        "200 classified",
      );
      await new Promise((r) => setTimeout(r, 300)); // the reload has certainly happened by now
      Deno.writeTextFileSync(modelPath, "{ broken");
      child.kill("SIGHUP");
      await send(50);
      await eventually(
        async () => (await t.redis.xlen(k.stream("document.classified"))) === 250,
        30_000,
        "250 classified",
      );

      const rows = await t.redis.xrange(k.stream("document.classified"), "-", "+");
      const versions = rows.map(([, f]) => JSON.parse(f[1]!).data.model.version as string);
      const firstB = versions.indexOf("B");
      assert.ok(firstB > 0, "some documents used A");
      assert.ok(versions.slice(firstB).every((v) => v === "B"), "after the switch only B");
      assert.ok(versions.slice(200).every((v) => v === "B"), "a broken file keeps B in use");
      assert.equal(await t.redis.xlen(k.dlq("classification")), 0);
      assert.equal((await eventsByDocument(t.redis, k, "document.classified")).size, 250);
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  });
});
