import { describe, it } from "node:test";
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
const deno = async (...args: string[]) => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
};

describe("deno task train / eval", () => {
  it("trains on JSONL with progress, and eval's report is stable and beats the majority baseline", async () => {
    const dir = Deno.makeTempDirSync();
    const model = `${dir}/model.json`;
    const trained = await deno(
      "tools/train.ts",
      "--data",
      "data/corpus/train.jsonl",
      "--out",
      model,
      "--name",
      "t",
      "--version",
      "9",
    );
    assert.equal(trained.code, 0, trained.stderr);
    assert.match(trained.stderr, /train: features (\d+)\/\1 \(100%\)/);
    assert.match(trained.stderr, /held-out macro-F1=/);
    const a = await deno(
      "tools/eval.ts",
      "--data",
      "data/corpus/test.jsonl",
      "--model",
      model,
      "--json",
    );
    const b = await deno(
      "tools/eval.ts",
      "--data",
      "data/corpus/test.jsonl",
      "--model",
      model,
      "--json",
    );
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout, "the same model and data give the same report");
    const report = JSON.parse(a.stdout);
    assert.deepEqual(Object.keys(report), ["accuracy", "macroF1", "perClass", "confusion"]);
    const majorityF1 = 2 * (1 / 8) / (1 / 8 + 1) / 8; // one class predicted for all: F1 of that class / 8 classes
    assert.ok(report.macroF1 > majorityF1 + 0.5, `macro-F1 ${report.macroF1}`);
    const table = await deno("tools/eval.ts", "--data", "data/corpus/test.jsonl", "--model", model);
    assert.match(table.stdout, /^model {5}t 9/m);
    assert.match(table.stdout, /confusion \(rows: actual, columns: predicted\)/);
    Deno.removeSync(dir, { recursive: true });
  });

  it("answers --help and reports bad input clearly", async () => {
    assert.match((await deno("tools/train.ts", "--help")).stdout, /Usage: deno task train/);
    assert.match((await deno("tools/eval.ts", "--help")).stdout, /Usage: deno task eval/);
    const missing = await deno("tools/train.ts", "--data", "nope.jsonl", "--out", "/tmp/x.json");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read data file nope.jsonl/);
    const unwritable = await deno(
      "tools/train.ts",
      "--data",
      "data/corpus/train.jsonl",
      "--out",
      "/nonexistent/dir/m.json",
    );
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot write the model to \/nonexistent\/dir\/m.json/);
    const noArgs = await deno("tools/eval.ts");
    assert.equal(noArgs.code, 2);
    assert.match(noArgs.stderr, /--data is required/);
  });
});
