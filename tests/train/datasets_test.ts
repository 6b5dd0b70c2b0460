/**
 * `deno task train` on every data set, shortened (a slice, one epoch, a tiny
 * CNN): each run folder is complete — history with a numeric test accuracy,
 * a checkpoint naming its architecture and classes, the report with curves,
 * confusion matrix and first-layer filters. Accuracy is not asserted here.
 */

import assert from "node:assert/strict";
import { loadCheckpoint } from "../../layers/mod.ts";
import { loadOcrModel, readText } from "../../ocr/mod.ts";
import { main } from "../../train/cli.ts";
import { DATA_DIR } from "../shared_data.ts";
import { smallSlice } from "./small_slice.ts";

const slice = await smallSlice();
const tiny = ["--epochs", "1", "--channels", "4,8", "--hidden", "16"];

/** Runs the trainer and checks its run folder; returns the folder (the caller removes it). */
async function checkRunFolder(
  args: string[],
  expect: { classes: number; size: number; title: RegExp },
): Promise<string> {
  const dir = await Deno.makeTempDir();
  const errors: string[] = [];
  const code = await main([...args, ...tiny, "--out", dir], {
    stdout: () => {},
    stderr: (line) => errors.push(line),
  });
  assert.equal(code, 0, errors.join("\n"));
  assert.ok(errors.some((l) => /^trained in [\d.]+ s; test accuracy [\d.]+%$/.test(l)));
  const history = JSON.parse(await Deno.readTextFile(`${dir}/history.json`));
  assert.equal(typeof history.test_acc, "number");
  assert.equal(history.valid_acc.length, 1);
  const checkpoint = await loadCheckpoint(`${dir}/model.safetensors`);
  const architecture = checkpoint.architecture as { kind: string; size: number; classes: string };
  assert.equal(architecture.kind, "cnn");
  assert.equal(architecture.size, expect.size);
  assert.equal(architecture.classes.length, expect.classes);
  const report = await Deno.readTextFile(`${dir}/report.md`);
  assert.match(report.split("\n")[0], expect.title);
  for (const figure of ["accuracy", "loss", "confusion", "weights"]) {
    assert.ok((await Deno.stat(`${dir}/${figure}.png`)).size > 1000, figure);
    assert.match(report, new RegExp(`\\(${figure}\\.png\\)`));
  }
  assert.match(report, /test accuracy \(best validation epoch\) \| [\d.]+%/);
  assert.match(report, /training time \| [\d.]+ s/);
  assert.match(report, /First-layer filters \(4 filters, 3×3 each\)|First-layer/);
  assert.ok((await Deno.stat(`${dir}/report.html`)).size > 1000);
  return dir;
}

Deno.test("train --dataset mnist (a slice, one epoch): complete run folder", async () => {
  const dir = await checkRunFolder(
    ["--dataset", "mnist", "--data-dir", DATA_DIR, "--subset", "600"],
    { classes: 10, size: 28, title: /^# MNIST CNN training report/ },
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train --dataset emnist-balanced (a slice): its model reads a photo as upper case", async () => {
  const dir = await checkRunFolder(
    ["--dataset", "emnist-balanced", "--data-dir", DATA_DIR, "--subset", "940"],
    { classes: 47, size: 28, title: /^# EMNIST Balanced CNN training report/ },
  );
  const model = await loadOcrModel(`${dir}/model.safetensors`);
  assert.deepEqual(model.crop, { size: 28, margin: 2, penWidth: 2.24 });
  const read = await readText(`${DATA_DIR}/images/02_letters.jpg`, { model });
  assert.ok(read.text.length > 20, read.text);
  assert.match(read.text, /^[A-Z0-9 \n]+$/, "lower-case classes fold into their letters");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train --model cnn on NIST36 MAT files (a slice, one epoch): complete run folder", async () => {
  const dir = await checkRunFolder(
    ["--model", "cnn", "--data", slice.dir, "--elastic", "1.5", "--monitor", "valid_loss"],
    { classes: 36, size: 32, title: /^# NIST36 CNN training report/ },
  );
  const report = await Deno.readTextFile(`${dir}/report.md`);
  assert.match(report, /elastic distortion up to 1\.5 px with σ 4 px/);
  assert.match(report, /best validation epoch \(lowest loss\) \| 1/);
  const architecture = (await loadCheckpoint(`${dir}/model.safetensors`)).architecture;
  assert.equal(
    (architecture as { crop?: unknown }).crop,
    undefined,
    "NIST36 crops are the default",
  );
  await Deno.remove(dir, { recursive: true });
});
