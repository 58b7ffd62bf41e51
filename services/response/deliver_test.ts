import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { webhookSender } from "./deliver.ts";
import { CircuitBreakers } from "../../shared/breaker.ts";
import { isPrivateAddress, refusal } from "./address_guard.ts";

const SECRET = "whsec_" + btoa("a-test-secret-of-32-bytes-length!");

/** A real local receiver that answers with the statuses it is told, in turn. */
function receiver(statuses: number[]) {
  const seen: { headers: Record<string, string>; body: string; at: number }[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    seen.push({ headers: Object.fromEntries(req.headers), body: await req.text(), at: Date.now() });
    return new Response(null, {
      status: statuses[Math.min(seen.length - 1, statuses.length - 1)] ?? 200,
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    host: `127.0.0.1:${server.addr.port}`,
    seen,
    stop: () => server.shutdown(),
  };
}

describe("webhook delivery", () => {
  const servers: { stop(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
  });
  let allow: string[];
  before(() => (allow = ["127.0.0.1"]));

  it("signs per Standard Webhooks; the reference verifier accepts the message", async () => {
    const r = receiver([200]);
    servers.push(r);
    const send = webhookSender({ secret: SECRET, allowHosts: allow });
    const result = await send(r.url, "msg_1", { documentId: "d1", summary: "s" });
    assert.deepEqual(result, { destination: r.url, status: "delivered", attempts: 1 });
    const [got] = r.seen;
    const payload = new Webhook(SECRET).verify(got!.body, got!.headers) as { documentId: string };
    assert.equal(payload.documentId, "d1");
    assert.equal(got!.headers["webhook-id"], "msg_1");
    assert.throws(() =>
      new Webhook("whsec_" + btoa("another-secret-of-32-bytes-length")).verify(
        got!.body,
        got!.headers,
      )
    );
  });

  it("retries 5xx with backoff and reports the attempts", async () => {
    const r = receiver([503, 500, 200]);
    servers.push(r);
    const send = webhookSender({ secret: SECRET, allowHosts: allow, retryBaseMs: 20 });
    const result = await send(r.url, "msg_2", {});
    assert.equal(result.status, "delivered");
    assert.equal(result.attempts, 3);
    assert.equal(
      new Set(r.seen.map((s) => s.headers["webhook-id"])).size,
      1,
      "the same message id on every attempt",
    );
  });

  it("does not retry a 4xx answer", async () => {
    const r = receiver([410]);
    servers.push(r);
    const result = await webhookSender({ secret: SECRET, allowHosts: allow, retryBaseMs: 1 })(
      r.url,
      "m",
      {},
    );
    assert.deepEqual([result.status, result.attempts, result.detail], ["failed", 1, "HTTP 410"]);
  });

  it("opens the circuit after repeated failures and closes it after a successful trial", async () => {
    const r = receiver([500, 500, 500, 500, 200]);
    servers.push(r);
    let now = 0;
    const breakers = new CircuitBreakers({ threshold: 3, coolDownMs: 1000, now: () => now });
    const send = webhookSender({ secret: SECRET, allowHosts: allow, breakers, attempts: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await send(r.url, `m${i}`, {})).status, "failed");
    assert.equal(breakers.state(r.host), "open");
    const refused = await send(r.url, "m-open", {});
    assert.match(refused.detail!, /circuit open/);
    assert.equal(r.seen.length, 3, "no request while open");
    now += 1000;
    assert.equal(breakers.state(r.host), "half-open");
    assert.equal((await send(r.url, "m-trial", {})).status, "failed"); // trial fails → open again
    assert.equal(breakers.state(r.host), "open");
    now += 1000;
    assert.equal((await send(r.url, "m-trial2", {})).status, "delivered");
    assert.equal(breakers.state(r.host), "closed");
  });

  it("refuses loopback, private and link-local destinations unless allow-listed", async () => {
    const send = webhookSender({ secret: SECRET, allowHosts: [] });
    for (
      const url of [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/latest/meta-data",
      ]
    ) {
      const r = await send(url, "m", {});
      assert.equal(r.status, "refused", url);
      assert.equal(r.attempts, 0);
    }
    assert.match(
      (await send("ftp://example.com/x", "m", {})).detail!,
      /scheme ftp: is not allowed/,
    );
    const publicResolve = () => Promise.resolve(["93.184.216.34"]);
    assert.equal(await refusal("https://hooks.example.com/x", [], publicResolve), undefined);
    const rebinding = () => Promise.resolve(["93.184.216.34", "192.168.1.5"]);
    assert.match(
      (await refusal("https://evil.example.com/x", [], rebinding))!,
      /private address \(192.168.1.5\)/,
    );
  });

  it("classifies addresses", () => {
    for (
      const a of [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
      ]
    ) {
      assert.ok(isPrivateAddress(a), a);
    }
    for (const a of ["8.8.8.8", "172.32.0.1", "2001:4860:4860::8888", "100.128.0.1"]) {
      assert.ok(!isPrivateAddress(a), a);
    }
  });
});
