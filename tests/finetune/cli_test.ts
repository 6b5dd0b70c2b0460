/**
 * deno task finetune at CI size — two images per class in each part, one
 * epoch, every mode — runs end to end and writes a complete report (no
 * accuracy is asserted); bad flags and a missing data directory fail with
 * one line.
 */

import assert from "node:assert/strict";
import type { CommandOutput } from "../../tools/command_line.ts";
import { epochsFlag, main } from "../../finetune/cli.ts";
import { DATA_DIR } from "../shared_data.ts";

/** Runs main with its output captured. */
async function run(args: string[]): Promise<{ code: number; out: string[]; errors: string[] }> {
  const out: string[] = [];
  const errors: string[] = [];
  const output: CommandOutput = { stdout: (l) => out.push(l), stderr: (l) => errors.push(l) };
  return { code: await main(args, output), out, errors };
}

Deno.test("finetune: every mode at CI size writes report.md, report.html, figures and report.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "finetune_cli_" });
  try {
    const { code, out, errors } = await run([
      "--data-dir",
      DATA_DIR,
      "--out",
      dir,
      "--per-class",
      "2",
      "--epochs",
      "1",
      "--scratch-size",
      "32",
    ]);
    assert.equal(code, 0, errors.join("\n"));
    assert.deepEqual(out, [`${dir}/report.md`]);
    assert.ok(errors.some((l) => /^head epoch 1\/1 /.test(l)), errors.join("\n"));
    const report = JSON.parse(await Deno.readTextFile(`${dir}/report.json`));
    for (const key of ["head_test_acc", "full_test_acc", "scratch_test_acc"]) {
      assert.ok(report[key] >= 0 && report[key] <= 1, `${key}: ${report[key]}`);
    }
    assert.ok(
      report.engine_vs_onnxruntime_max_abs >= 0 && report.engine_vs_onnxruntime_max_abs < 0.05,
    );
    assert.ok(report.onnxruntime_feature_images_per_s > 0);
    for (
      const key of [
        "decode_seconds",
        "head_feature_seconds",
        "head_train_seconds",
        "full_train_seconds",
        "full_seconds_per_epoch",
        "scratch_train_seconds",
        "total_seconds",
      ]
    ) {
      assert.ok(report.timings[key] > 0, `timings.${key}: ${report.timings[key]}`);
    }
    assert.deepEqual(report.images, { train: 34, val: 34, test: 34 });
    const md = await Deno.readTextFile(`${dir}/report.md`);
    for (
      const heading of [
        "## Results",
        "## Training curves",
        "## Confusion matrix",
        "## Test images",
        "## Timings",
        "## Why the pretrained features win",
      ]
    ) {
      assert.ok(md.includes(heading), `report.md lacks ${heading}`);
    }
    for (const mode of ["head", "full", "scratch"]) {
      assert.match(md, new RegExp(`\\| ${mode} +\\|`));
    }
    for (const figure of ["curves", "confusion", "predictions"]) {
      for (const ext of ["svg", "png"]) {
        assert.ok((await Deno.stat(`${dir}/${figure}.${ext}`)).size > 1000);
      }
    }
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.ok(
      html.includes("data:image/png;base64,") && html.includes("Why the pretrained features win"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("finetune: bad flags and a missing data directory fail with one line", async () => {
  const cases: [string[], number, RegExp][] = [
    [["--mode", "half"], 2, /--mode must be head, full, scratch or all/],
    [["--epochs", "head=0"], 2, /--epochs/],
    [["--epochs", "tail=3"], 2, /MODE=N pairs/],
    [["--scratch-size", "60"], 2, /multiple of 8/],
    [["--per-class", "41"], 2, /--per-class/],
    [["extra"], 2, /unexpected argument/],
    [
      ["--data-dir", "/no/such/folder", "--out", "/tmp/finetune_never"],
      1,
      /data directory \/no\/such\/folder/,
    ],
  ];
  for (const [args, expected, message] of cases) {
    const { code, errors } = await run(args);
    assert.equal(code, expected, `${args.join(" ")}: ${errors.join("\n")}`);
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], message);
  }
});

Deno.test("finetune: --epochs takes one count or MODE=N pairs", () => {
  assert.deepEqual(epochsFlag("5"), { head: 5, full: 5, scratch: 5 });
  assert.deepEqual(epochsFlag("head=30,full=3"), { head: 30, full: 3 });
  assert.deepEqual(epochsFlag(undefined), {});
});
