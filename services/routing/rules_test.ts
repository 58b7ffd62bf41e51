import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decide, type Facts, InvalidRules, parseRules } from "./rules.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const shipped = parseRules(
  Deno.readTextFileSync(`${ROOT}services/routing/routes.json`),
  "routes.json",
);
const facts = (f: Partial<Facts>): Facts => ({
  category: "other",
  confidence: 0.9,
  metadata: {},
  source: "api",
  ...f,
});

describe("routing rules", () => {
  it("routes by the first matching rule, in order", () => {
    const cases: [Partial<Facts>, string, string][] = [
      [{ category: "invoice" }, "billing", "invoices"],
      [
        { category: "invoice", text: "FINAL REMINDER: this invoice is overdue" },
        "billing-escalation",
        "overdue-invoices",
      ],
      [{ category: "legal-notice" }, "legal", "legal-urgent"],
      [{ category: "complaint" }, "customer-care", "complaints"],
      [{ category: "other" }, "triage", "default"],
      [{ category: "invoice", confidence: 0.3 }, "human-review", "low-confidence"],
    ];
    for (const [f, route, ruleId] of cases) {
      const d = decide(shipped, facts(f));
      assert.equal(d.route, route, JSON.stringify(f));
      assert.equal(d.ruleId, ruleId);
    }
  });

  it("matches metadata, source, confidence ranges, keywords as whole words and patterns", () => {
    const set = parseRules(
      JSON.stringify({
        version: 1,
        rules: [
          { id: "vip", when: { metadata: { tier: ["gold", "platinum"] } }, route: "vip" },
          { id: "erp", when: { source: ["erp"], confidence: { min: 0.8 } }, route: "erp" },
          { id: "kw", when: { keywords: ["refund"] }, route: "refunds" },
          { id: "re", when: { pattern: "order\\s+#?\\d{4,}" }, route: "orders" },
        ],
        default: { route: "rest" },
      }),
      "t.json",
    );
    assert.equal(decide(set, facts({ metadata: { tier: "gold" } })).route, "vip");
    assert.equal(decide(set, facts({ metadata: { tier: "silver" } })).route, "rest");
    assert.equal(decide(set, facts({ source: "erp", confidence: 0.85 })).route, "erp");
    assert.equal(decide(set, facts({ source: "erp", confidence: 0.7 })).route, "rest");
    assert.equal(decide(set, facts({ text: "I want a Refund now" })).route, "refunds");
    assert.equal(decide(set, facts({ text: "refunded already" })).route, "rest");
    assert.equal(decide(set, facts({ text: "about Order #12345" })).route, "orders");
    assert.match(
      decide(set, facts({ metadata: { tier: "gold" } })).reason,
      /metadata.tier is "gold"/,
    );
  });

  it("names the rule and field of every error", () => {
    const bad = (rules: unknown[], extra = {}) => () =>
      parseRules(
        JSON.stringify({ version: 1, rules, default: { route: "d" }, ...extra }),
        "r.json",
      );
    assert.throws(
      bad([{ id: "a", when: { confidence: { min: 2 } }, route: "x" }]),
      (e: Error) => e instanceof InvalidRules && /rule "a" when.confidence.min/.test(e.message),
    );
    assert.throws(bad([{ id: "b", when: { pattern: "(" }, route: "x" }]), /rule "b" when.pattern/);
    assert.throws(
      bad([{ id: "c", route: "x", destinations: [{ kind: "webhook", url: "nope" }] }]),
      /rule "c" destinations.0.url/,
    );
    assert.throws(
      bad([{ id: "d", route: "x" }, { id: "d", route: "y" }]),
      /rule "d" id: used twice/,
    );
    assert.throws(
      bad([{ id: "e", when: { colour: "red" }, route: "x" }]),
      /rule "e" when: Unrecognized key/,
    );
    assert.throws(() => parseRules("{", "r.json"), /cannot parse/);
  });

  it("reads YAML as well as JSON", () => {
    const set = parseRules(
      "version: 1\nrules:\n  - id: y\n    when: { category: [invoice] }\n    route: yaml-route\ndefault: { route: d }\n",
      "r.yaml",
    );
    assert.equal(decide(set, facts({ category: "invoice" })).route, "yaml-route");
  });
});
