import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

describe("backoffDelay()", () => {
  const b = { baseMs: 100, capMs: 1000 };
  it("doubles the ceiling per attempt up to the cap", () => {
    const top = () => 0.999999;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, b, top)), [
      99,
      199,
      399,
      799,
      999,
      999,
    ]);
  });
  it("spreads delays over the whole range (full jitter)", () => {
    assert.equal(backoffDelay(3, b, () => 0), 0);
    assert.equal(backoffDelay(3, b, () => 0.5), 200);
  });
});
