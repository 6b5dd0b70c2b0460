/**
 * The presets of the one trainer: the OCR model's CNN recipe trains on a small slice and its
 * checkpoint loads in the OCR reader; the MLP's checkpoint keeps the assignment's description;
 * `--preset` and `--manual` misuse give one clear line.
 */

import assert from "node:assert/strict";
import { loadCheckpoint } from "../../layers/mod.ts";
import { classify, loadOcrModel } from "../../ocr/mod.ts";
import { main } from "../../train/cli.ts";
import { backendName, loadNativeKernels, referenceKernels } from "../../autograd/kernels/mod.ts";
import { PRESETS, trainClassifier, type TrainResult, writeRunDirectory } from "../../train/mod.ts";
import { smallSlice } from "./small_slice.ts";

const data = await smallSlice();
const { dir } = data;

Deno.test("ocr-default preset (shrunk): the CNN learns, and its run loads in the OCR reader", async () => {
  const settings = { ...PRESETS["ocr-default"].settings, channels: [4, 8], hidden: 16, epochs: 4 };
  const result = await trainClassifier(data, { settings, progress: "none" });
  const h = result.history;
  assert.ok(
    h.train_loss[3] < h.train_loss[0],
    `train loss ${h.train_loss[0]} → ${h.train_loss[3]}`,
  );
  await inRunDirectory(result, async (out) => {
    const checkpoint = await loadCheckpoint(`${out}/model.safetensors`);
    assert.deepEqual(checkpoint.architecture, {
      kind: "cnn",
      size: 32,
      channels: [4, 8],
      hidden: 16,
      dropout: 0.3,
      classes: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      storage: "nist36-transposed",
      settings: {
        channels: [4, 8],
        hidden: 16,
        dropout: 0.3,
        epochs: 4,
        batchSize: 64,
        lr: 0.002,
        weightDecay: 0.00001,
        seed: 0,
      },
      jitter: { size: 32, maxShift: 2, maxScale: 0.12, maxRotation: Math.PI / 18, maxShear: 0.2 },
    });
    const model = await loadOcrModel(`${out}/model.safetensors`);
    const probs = classify(model, data.test.x);
    assert.deepEqual([...probs.shape], [72, 36]);
    const report = await Deno.readTextFile(`${out}/report.md`);
    assert.match(report, /^# NIST36 CNN training report/);
    assert.match(
      report,
      /conv blocks of 4, 8 channels .* Adam .* affine jitter \(±2 px, ±12% size/,
    );
  });
});

Deno.test("nist36-mlp preset: the checkpoint describes the assignment's network and nothing else", async () => {
  const settings = { ...PRESETS["nist36-mlp"].settings, hidden: 8, epochs: 1 };
  const result = await trainClassifier(data, { settings, progress: "none" });
  await inRunDirectory(result, async (out) => {
    const checkpoint = await loadCheckpoint(`${out}/model.safetensors`);
    assert.deepEqual(checkpoint.architecture, {
      kind: "mlp",
      inputs: 1024,
      hidden: 8,
      classes: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
      storage: "nist36-transposed",
    });
  });
});

/** Writes `result`'s run directory into a temporary folder, runs `check` on it, removes it. */
async function inRunDirectory(
  result: TrainResult,
  check: (dir: string) => Promise<void>,
): Promise<void> {
  const out = await Deno.makeTempDir();
  try {
    await writeRunDirectory(out, { result, dataNote: "A small slice." });
    await check(out);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("train CLI: an unknown preset or --manual on the CNN is one error line", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  try {
    assert.equal(await main(["--preset", "nope", "--data", dir]), 2);
    assert.equal(await main(["--preset", "ocr-default", "--manual", "--data", dir]), 2);
    assert.equal(await main(["--backend", "gpu", "--data", dir]), 2);
  } finally {
    console.error = original;
  }
  assert.deepEqual(errors, [
    'error: unknown preset "nope" (known: nist36-mlp, ocr-default, nist36-cnn, mnist-cnn, ' +
    "emnist-balanced-cnn) (see --help)",
    "error: --manual needs the MLP: the hand-written backward pass is the MLP's (see --help)",
    'error: --backend must be one of wasm, native, got "gpu" (see --help)',
  ]);
});

const native = loadNativeKernels(referenceKernels);

Deno.test({
  name: `train --backend native: a small CNN run on OpenBLAS, the engine's kernels put back after${
    native.kernels === null ? ` (skipped: ${native.reason})` : ""
  }`,
  ignore: native.kernels === null,
  fn: async () => {
    const out = await Deno.makeTempDir();
    const lines: string[] = [];
    const output = { stdout: () => {}, stderr: (line: string) => lines.push(line) };
    try {
      const before = backendName();
      const args = [
        "--preset",
        "ocr-default",
        "--channels",
        "4,8",
        "--hidden",
        "16",
        "--epochs",
        "1",
      ];
      assert.equal(
        await main([...args, "--backend", "native", "--data", dir, "--out", out], output),
        0,
      );
      assert.match(lines[0], /; kernels: native$/);
      assert.equal(backendName(), before);
      await Deno.stat(`${out}/model.safetensors`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
