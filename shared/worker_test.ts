import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eventually, type TestRedis, testRedis } from "./_testing.ts";
import { loadConfig } from "./config.ts";
import { freePort } from "./redis_server.ts";
import { consumerName, runWorker } from "./worker.ts";

describe("runWorker()", () => {
  let t: TestRedis;
  before(async () => (t = await testRedis()));
  after(async () => await t.close());

  it("serves /readyz: ready, not ready while Redis is down, ready again when it is back", async () => {
    const port = freePort();
    const k = t.freshKeys();
    const config = loadConfig({
      REDIS_URL: t.server.url,
      DIP_PREFIX: k.prefix,
      HEALTH_PORT: String(port),
      DIP_BLOCK_MS: "100",
      DIP_WATCHDOG_MS: "500",
      LOG_LEVEL: "error",
    });
    const controller = new AbortController();
    const done = runWorker(
      config,
      {
        group: "classification",
        input: "com.dip.document.ingested",
        build: () => ({ handler: () => Promise.resolve([]) }),
      },
      controller.signal,
      {
        host: "test",
        pid: 1,
      },
    );
    const readyz = () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        async (r) => (await r.body?.cancel(), r.status),
        () => 0,
      );
    await eventually(async () => (await readyz()) === 200, 10_000, "ready");
    await t.server.kill();
    await eventually(async () => (await readyz()) === 503, 10_000, "not ready while Redis is down");
    await t.server.restart();
    await eventually(async () => (await readyz()) === 200, 15_000, "ready again");
    controller.abort();
    await done;
    assert.equal(await readyz(), 0, "health server closed after stop");
  });

  it("names consumers uniquely per process", () => {
    const a = consumerName("routing", "host", 42), b = consumerName("routing", "host", 42);
    assert.match(a, /^routing-host-42-[0-9a-f]{4}$/);
    assert.notEqual(a, b);
  });
});
