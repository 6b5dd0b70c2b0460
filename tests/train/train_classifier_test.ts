/** The classifier trainer and deno task train: a few epochs on a small real slice learn; tape and manual paths agree; bad data fails clearly. */

import assert from "node:assert/strict";
import { loadNist36 } from "../../datasets/nist36.ts";
import { trainClassifier } from "../../train/train_classifier.ts";
import { main } from "../../train/cli.ts";
import { smallSlice } from "./small_slice.ts";

const data = await smallSlice();
const { dir } = data;
const quick = { epochs: 20, hidden: 32, lr: 0.5, shift: 0 };

Deno.test("training on a small slice: loss falls and accuracy rises above chance", async () => {
  const result = await trainClassifier(data, { settings: quick, progress: "none" });
  const h = result.history;
  assert.equal(h.train_loss.length, 20);
  assert.ok(
    h.train_loss[19] < h.train_loss[0] * 0.8,
    `train loss ${h.train_loss[0]} → ${h.train_loss[19]}`,
  );
  assert.ok(
    Math.max(...h.valid_acc) > 3 / 36,
    `best validation accuracy ${Math.max(...h.valid_acc)}`,
  );
  assert.equal(result.confusion.flat().reduce((a, b) => a + b, 0), 72);
});

Deno.test("--manual trains through the hand-written backward pass to the same numbers", async () => {
  const settings = { ...quick, epochs: 2, shift: 0 };
  const tape = await trainClassifier(data, { settings, progress: "none" });
  const manual = await trainClassifier(data, {
    settings: { ...settings, manual: true },
    progress: "none",
  });
  for (const key of ["train_loss", "valid_loss", "valid_acc"] as const) {
    tape.history[key].forEach((v, i) =>
      assert.ok(Math.abs(v - manual.history[key][i]) < 1e-4, `${key}[${i}]`)
    );
  }
  const [wt, wm] = [tape.model.parameters()[0].data, manual.model.parameters()[0].data];
  let worst = 0;
  for (let i = 0; i < wt.length; i++) worst = Math.max(worst, Math.abs(wt[i] - wm[i]));
  assert.ok(worst < 1e-4, `first-layer weights differ by ${worst}`);
});

Deno.test("bad --data: one clear line and a non-zero exit", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    assert.equal(await main(["--data", "/nonexistent/nist36"]), 1);
    assert.equal(await main(["--epochs", "many"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(errors[0], /^error: \/nonexistent\/nist36\/nist36_train\.mat: file not found/);
  assert.match(errors[1], /--epochs needs an integer from 1 to 1000, got "many"/);
  assert.ok(errors.every((line) => !/\n\s+at /.test(line)), "no stack traces");
});

Deno.test("wrong variable names in a MAT file name the file and the variables", async () => {
  const bad = await Deno.makeTempDir();
  for (const split of ["train", "valid", "test"]) {
    await Deno.copyFile(`${dir}/nist36_${split}.mat`, `${bad}/nist36_${split}.mat`);
  }
  await Deno.copyFile(`${dir}/nist36_valid.mat`, `${bad}/nist36_train.mat`);
  await assert.rejects(loadNist36(bad), /nist36_train\.mat: .*train_data/);
  await Deno.remove(bad, { recursive: true });
});
