/**
 * `deno task train` under hostile flags and failing runs: every bad flag is
 * refused before any work with one `error:` line and exit 2; a bad `--out`
 * fails before training and leaves what was there; empty splits, a run at
 * chance level and a diverging run each say so, and a divergence keeps the
 * last good weights on disk when it says it does.
 */

import assert from "node:assert/strict";
import { writeMat } from "../../formats/mat/mod.ts";
import { loadCheckpoint } from "../../layers/mod.ts";
import { main } from "../../train/cli.ts";
import { smallSlice } from "./small_slice.ts";

const slice = await smallSlice();

async function run(args: string[]): Promise<{ code: number; errors: string[]; out: string[] }> {
  const errors: string[] = [];
  const out: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => errors.push(l) });
  return { code, errors: errors.filter((l) => !l.startsWith("data: ")), out };
}

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("train: out-of-range, negative and extra arguments are usage errors before any work", async () => {
  const dir = await Deno.makeTempDir();
  const cases: [string[], RegExp][] = [
    [["--batch-size", "0"], /--batch-size needs an integer from 1 to 4096, got "0"/],
    [["--epochs", "0"], /--epochs needs an integer from 1 to 1000, got "0"/],
    [["--epochs", "1e20"], /--epochs needs an integer from 1 to 1000, got "1e20"/],
    [["--epochs=-1"], /--epochs needs an integer from 1 to 1000, got "-1"/],
    [["--epochs", "-1"], /--epochs needs a value \(write --epochs=-1/],
    [["--hidden", "1e9"], /--hidden needs an integer from 1 to 4096, got "1e9"/],
    [["--hidden", "100000"], /--hidden needs an integer from 1 to 4096/],
    [["--hidden", "0"], /--hidden needs an integer from 1 to 4096, got "0"/],
    [["--hidden", "2.5"], /--hidden needs an integer/],
    [["--lr", "0"], /--lr needs a number above 0 and at most 1000000, got "0"/],
    [["--lr", "Infinity"], /--lr needs a number above 0/],
    [["--lr", ""], /--lr needs a number above 0/],
    [["--weight-decay", "NaN"], /--weight-decay needs a number from 0 to 0.5/],
    [["--label-smoothing", "0.6"], /--label-smoothing needs a number from 0 to 0.5, got "0.6"/],
    [["--label-smoothing=-0.1"], /--label-smoothing needs a number from 0 to 0.5, got "-0.1"/],
    [["--label-smoothing", "x"], /--label-smoothing needs a number from 0 to 0.5, got "x"/],
    [["--batch-norm"], /--batch-norm needs the CNN \(--model cnn\): the MLP has no conv blocks/],
    [["--manual", "--label-smoothing", "0.1"], /--label-smoothing needs the tape/],
    [["--shift", "99"], /--shift needs an integer from 0 to 8/],
    [["--elastic", "9"], /--elastic needs a number from 0 to 8, got "9"/],
    [["--monitor", "loss"], /--monitor must be one of valid_acc, valid_loss, got "loss"/],
    [["--seed", "4294967296"], /--seed needs an integer from 0 to 4294967295/],
    [["--preset", "ocr-default", "--batch-size", "4096"], /need about .* GB to train/],
    [["runs/x"], /unexpected argument "runs\/x"/],
  ];
  for (const [args, pattern] of cases) {
    const out = `${dir}/run`;
    const started = performance.now();
    const { code, errors } = await run([...args, "--out", out, "--data", slice.dir]);
    const what = args.join(" ");
    assert.equal(code, 2, what);
    assert.equal(errors.length, 1, `${what}: ${errors.join(" | ")}`);
    assert.match(errors[0], /^error: .*\(see --help\)$/, what);
    assert.match(errors[0], pattern, what);
    assert.doesNotMatch(errors[0], /unexpected;/, what);
    assert.ok(performance.now() - started < 2000, `${what} took work before failing`);
    assert.equal(await exists(out), false, `${what} created the run directory`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: a bad --out fails before training and leaves the file it names alone", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/precious.txt`;
  await Deno.writeTextFile(file, "keep me");
  const cases: [string, RegExp][] = [
    [file, /--out .*precious\.txt: is a file, not a folder/],
    [`${file}/run`, /--out .*precious\.txt\/run: .*precious\.txt is a file, not a folder/],
    ["/proc/inkling-run", /--out \/proc\/inkling-run: cannot (use this folder|write in \/proc)/],
  ];
  for (const [out, pattern] of cases) {
    const started = performance.now();
    const { code, errors } = await run(["--out", out, "--data", slice.dir, "--epochs", "1"]);
    assert.equal(code, 1, out);
    assert.equal(errors.length, 1, errors.join(" | "));
    assert.match(errors[0], pattern);
    assert.ok(performance.now() - started < 2000, `${out}: trained before failing`);
  }
  assert.equal(await Deno.readTextFile(file), "keep me");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: an empty split is refused with the folder named, not trained into NaN", async () => {
  const dir = await Deno.makeTempDir();
  for (const split of ["train", "test"]) {
    await Deno.copyFile(`${slice.dir}/nist36_${split}.mat`, `${dir}/nist36_${split}.mat`);
  }
  await writeMat(`${dir}/nist36_valid.mat`, {
    valid_data: { shape: [0, 1024], data: new Float64Array(0) },
    valid_labels: { shape: [0, 36], data: new Float64Array(0) },
  });
  const { code, errors } = await run(["--data", dir, "--out", `${dir}/run`]);
  assert.equal(code, 1);
  assert.equal(errors.length, 1, errors.join(" | "));
  assert.match(errors[0], /^error: .*: the valid split is empty$/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train: a run stuck at chance level says so; a divergence keeps the last good epoch on disk", async () => {
  const dir = await Deno.makeTempDir();
  const common = ["--data", slice.dir, "--hidden", "16", "--shift", "0"];
  const chance = await run([...common, "--lr", "1000", "--epochs", "2", "--out", `${dir}/a`]);
  assert.equal(chance.code, 0, chance.errors.join(" | "));
  assert.ok(
    chance.errors.some((l) => /^warning: validation accuracy 2\.78% is chance level/.test(l)),
    chance.errors.join(" | "),
  );
  assert.match(await Deno.readTextFile(`${dir}/a/report.md`), /At chance level/);

  // At this rate the weights overflow during the second epoch (the first one finishes).
  const late = await run([...common, "--lr", "50000", "--epochs", "3", "--out", `${dir}/b`]);
  assert.equal(late.code, 1);
  const last = late.errors.at(-1)!;
  assert.match(
    last,
    /^error: training diverged at epoch 2, step \d+ \(loss is (NaN|Infinity)\); kept the weights of epoch 1 .* in .*\/b\/model\.safetensors; lower the learning rate/,
  );
  const kept = await loadCheckpoint(`${dir}/b/model.safetensors`);
  assert.equal(kept.epoch, 1);
  for (const t of Object.values(kept.model)) assert.ok(t.data.every(Number.isFinite));
  assert.match(await Deno.readTextFile(`${dir}/b/report.md`), /Stopped early/);

  // Diverging in the first epoch leaves nothing, and the message claims nothing was kept.
  const early = await run([...common, "--lr", "1000000", "--epochs", "2", "--out", `${dir}/c`]);
  assert.equal(early.code, 1);
  assert.match(early.errors.at(-1)!, /^error: training diverged: loss is \w+ at epoch 1, step \d+/);
  assert.doesNotMatch(early.errors.at(-1)!, /kept|saved/);
  assert.equal(await exists(`${dir}/c`), false);
  await Deno.remove(dir, { recursive: true });
});
