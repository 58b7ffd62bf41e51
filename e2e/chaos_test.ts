import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, testRedis } from "../shared/_testing.ts";
import { buildCorpus } from "../tools/corpus.ts";
import { type Pipeline, startPipeline, uploadAll } from "./_harness.ts";
import { assertChains, waitCompleted, waitDrained } from "./_checks.ts";

const texts = (n: number, seed: number) => {
  const docs = buildCorpus(Math.ceil(n / 8) + 1, 0.01, seed).train.map((d) => d.text);
  return docs.slice(0, n);
};

describe("delivery guarantees under failure (real processes, real Redis)", () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  async function setup(options: { replicas?: number; persistent?: boolean } = {}) {
    const dir = options.persistent ? Deno.makeTempDirSync({ prefix: "dip-aof-" }) : undefined;
    const t = await testRedis(dir);
    const k = t.freshKeys();
    const p: Pipeline = await startPipeline({
      redisUrl: t.server.url,
      prefix: k.prefix,
      replicas: options.replicas ?? 1,
    });
    cleanups.push(async () => {
      await p.stop();
      await t.close();
    });
    return { t, k, p };
  }

  it("chaos: 2,000 documents, 2 replicas per stage, a process SIGKILLed about every second", async () => {
    const { t, k, p } = await setup({ replicas: 2 });
    let chaos = true, kills = 0;
    const monkey = (async () => {
      while (chaos) {
        await new Promise((r) => setTimeout(r, 700 + Math.random() * 600));
        if (!chaos) break;
        // the first victim is the gateway (clients retry with their Idempotency-Keys), then any process
        const names = [...p.workers(), "ingestion"];
        const victim = kills === 0 ? "ingestion" : names[Math.floor(Math.random() * names.length)]!;
        await p.kill(victim, "SIGKILL");
        kills++;
        p.restart(victim);
      }
    })();
    const ids = await uploadAll(p.url, texts(2000, 11), 24);
    await waitCompleted(t.redis, k, ids, 60_000).finally(() => (chaos = false));
    await monkey;
    assert.ok(kills >= 2, `the gateway and at least one more process were killed (${kills})`);
    await assertChains(t.redis, k, ids);
    await waitDrained(t.redis, k);
    for (const group of ["classification", "routing", "response"]) {
      assert.equal(await t.redis.xlen(k.dlq(group)), 0, `DLQ of ${group} is empty`);
    }
  });

  it("a Redis crash and restart mid-run (AOF, fsync always) loses no accepted document", async () => {
    const { t, k, p } = await setup({ persistent: true });
    const upload = uploadAll(p.url, texts(400, 12), 8);
    await eventually(async () => (await t.redis.zcard(k.docIndex())) >= 100, 20_000, "100 uploads");
    await t.server.kill();
    await new Promise((r) => setTimeout(r, 500));
    await t.server.restart();
    const ids = await upload;
    await waitCompleted(t.redis, k, ids, 60_000);
    await assertChains(t.redis, k, ids);
    await waitDrained(t.redis, k);
  });

  it("SIGTERM during load drains in-flight work; after a restart nothing is lost or doubled", async () => {
    const { t, k, p } = await setup({ replicas: 1 });
    const upload = uploadAll(p.url, texts(600, 13), 16);
    await eventually(
      async () => (await t.redis.xlen(k.stream("document.classified"))) >= 50,
      20_000,
      "work under way",
    );
    await Promise.all(
      ["classification#1", "routing#1", "response#1"].map((w) => p.kill(w, "SIGTERM")),
    );
    for (const w of ["classification#1", "routing#1", "response#1"]) p.restart(w);
    const ids = await upload;
    await waitCompleted(t.redis, k, ids, 60_000);
    await assertChains(t.redis, k, ids);
    await waitDrained(t.redis, k);
  });
});
