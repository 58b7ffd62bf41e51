import { describe, it } from "node:test";
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("ingestion main", () => {
  it("refuses to run open (no API keys) on a non-loopback address, saying why", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unsafe-proto", `${ROOT}services/ingestion/main.ts`],
      env: { HOST: "0.0.0.0", PORT: "0", REDIS_URL: "redis://127.0.0.1:1", DIP_API_KEYS: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.match(
      new TextDecoder().decode(out.stderr),
      /no DIP_API_KEYS are configured and HOST is 0.0.0.0/,
    );
  });

  it("every service answers --help without starting", async () => {
    for (const service of ["ingestion", "classification", "routing", "response"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--unsafe-proto", `${ROOT}services/${service}/main.ts`, "--help"],
        env: { REDIS_URL: "redis://127.0.0.1:1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, service);
      assert.match(
        new TextDecoder().decode(out.stdout),
        new RegExp(`^Usage: deno task ${service}`),
        service,
      );
    }
  });

  it("stops at start with a clear line on a bad setting", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unsafe-proto", `${ROOT}services/ingestion/main.ts`],
      env: { REDIS_URL: "http://nope" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(out.code, 0);
    assert.match(
      new TextDecoder().decode(out.stderr),
      /REDIS_URL is not a redis:\/\/ URL \(got "http:\/\/nope"\)/,
    );
  });
});
