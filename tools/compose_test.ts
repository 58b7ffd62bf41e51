import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";

const ROOT = new URL("..", import.meta.url).pathname;

type Service = {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
  healthcheck?: unknown;
};

describe("compose.yaml", () => {
  const doc = parse(Deno.readTextFileSync(`${ROOT}compose.yaml`), { merge: true }) as {
    services: Record<string, Service>;
  };

  it("runs Redis with an append-only file and the four services", () => {
    assert.deepEqual(Object.keys(doc.services).sort(), [
      "classification",
      "ingestion",
      "redis",
      "response",
      "routing",
    ]);
    assert.ok(doc.services.redis!.command!.join(" ").includes("--appendonly yes"));
  });

  it("starts every service from an entry point that exists, pointed at the Redis service", () => {
    for (const name of ["ingestion", "classification", "routing", "response"]) {
      const s = doc.services[name]!;
      const entry = s.command!.find((a) => a.endsWith(".ts"))!;
      assert.ok(Deno.statSync(`${ROOT}${entry}`).isFile, `${name}: ${entry} exists`);
      assert.equal(entry, `services/${name}/main.ts`);
      assert.equal(s.environment!.REDIS_URL, "redis://redis:6379");
      assert.ok(s.depends_on && "redis" in s.depends_on, `${name} waits for redis`);
      assert.ok(s.healthcheck, `${name} has a health check`);
    }
  });

  it("binds the gateway beyond loopback only together with API keys", () => {
    const env = doc.services.ingestion!.environment!;
    assert.equal(env.HOST, "0.0.0.0");
    assert.match(env.DIP_API_KEYS!, /DIP_API_KEYS/);
  });
});
