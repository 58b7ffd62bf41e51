import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { silentLogger } from "../../shared/log.ts";
import { decide } from "./rules.ts";
import { loadRules, RulesHolder } from "./rules_file.ts";

const rules = (route: string) =>
  JSON.stringify({
    version: 1,
    rules: [{ id: "r", when: { category: ["invoice"] }, route }],
    default: { route: "d" },
  });
const facts = { category: "invoice", confidence: 0.9, metadata: {}, source: "api" };

describe("RulesHolder", () => {
  let dir: string, path: string;
  before(() => {
    dir = Deno.makeTempDirSync();
    path = `${dir}/routes.json`;
  });
  after(() => Deno.removeSync(dir, { recursive: true }));

  function write(text: string, mtimeS: number) {
    Deno.writeTextFileSync(path, text);
    Deno.utimeSync(path, mtimeS, mtimeS);
  }

  it("swaps in a changed valid file whole, and keeps the rules in use when the new file is invalid", async () => {
    write(rules("v1"), 1000);
    const holder = new RulesHolder(await loadRules(path), path, silentLogger);
    await holder.check();
    assert.equal(decide(holder.current(), facts).route, "v1");
    write(rules("v2"), 2000);
    assert.equal(await holder.check(), true);
    assert.equal(decide(holder.current(), facts).route, "v2");
    write('{"version": 1, "rules": [{"id": "r", "route": ', 3000); // half-written
    assert.equal(await holder.check(), false);
    assert.equal(decide(holder.current(), facts).route, "v2");
    write(rules("v3"), 4000);
    assert.equal(await holder.check(), true);
    assert.equal(decide(holder.current(), facts).route, "v3");
  });
});

describe("deno task routes:check", () => {
  const ROOT = new URL("../..", import.meta.url).pathname;
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}tools/routes_check.ts`, ...args],
      cwd: ROOT,
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };

  it("explains the shipped rules and routes a trial document", async () => {
    const r = await run(
      "services/routing/routes.json",
      "--try",
      '{"category":"invoice","text":"FINAL REMINDER"}',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid, \d+ rules/);
    assert.match(r.stdout, /\[legal-urgent\] if category is legal-notice → route "legal"/);
    assert.match(
      r.stdout,
      /→ route "billing-escalation" by overdue-invoices: category is invoice, keyword "final reminder"/,
    );
  });

  it("warns about categories the model never predicts", async () => {
    const dir = Deno.makeTempDirSync();
    Deno.writeTextFileSync(
      `${dir}/r.json`,
      JSON.stringify({
        version: 1,
        rules: [{ id: "typo", when: { category: ["invoices"] }, route: "x" }],
        default: { route: "d" },
      }),
    );
    const r = await run(`${dir}/r.json`, "--model", "services/classification/model.json");
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /warning: rule "typo" names category "invoices", which .* never predicts/,
    );
    const shipped = await run(
      "services/routing/routes.json",
      "--model",
      "services/classification/model.json",
    );
    assert.match(shipped.stdout, /every category in the rules is one .* can predict/);
  });

  it("exits 1 naming the rule and field of an invalid file", async () => {
    const dir = Deno.makeTempDirSync();
    Deno.writeTextFileSync(
      `${dir}/bad.yaml`,
      "version: 1\nrules:\n  - id: broken\n    route: x\n    priority: soon\ndefault: { route: d }\n",
    );
    const r = await run(`${dir}/bad.yaml`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rule "broken" priority/);
  });
});
