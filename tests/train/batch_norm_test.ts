/**
 * `deno task train --batch-norm --label-smoothing ε` on a slice of the 47
 * classes (one epoch): the run folder is complete, the checkpoint says
 * `batchNorm` and holds trained running statistics, the report names both,
 * and the model reads a photo through OCR and exports to ONNX with the
 * engine's logits.
 */

import assert from "node:assert/strict";
import { noGrad, Rng, Tensor } from "../../mod.ts";
import { loadCheckpoint } from "../../layers/mod.ts";
import { loadOcrModel, readText } from "../../ocr/mod.ts";
import { exportCheckpoint, loadClassifier } from "../../onnx/export_checkpoint.ts";
import { OnnxSession } from "../../onnx/runtime.ts";
import { main } from "../../train/cli.ts";
import { DATA_DIR } from "../shared_data.ts";
import { maxAbsDiff } from "../onnx/squeezenet_fixture.ts";

Deno.test("train --batch-norm --label-smoothing 0.1 (EMNIST slice): run folder, OCR and ONNX", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const errors: string[] = [];
    const args = ["--dataset", "emnist-balanced", "--data-dir", DATA_DIR, "--batch-norm"];
    const code = await main(
      [...args, "--label-smoothing", "0.1", "--subset", "300", "--epochs", "1", "--out", dir],
      { stdout: () => {}, stderr: (line) => errors.push(line) },
    );
    assert.equal(code, 0, errors.join("\n"));
    for (const file of ["model.safetensors", "history.json", "report.md", "report.html"]) {
      assert.ok((await Deno.stat(`${dir}/${file}`)).size > 0, file);
    }
    for (const figure of ["accuracy", "loss", "confusion", "weights"]) {
      assert.ok((await Deno.stat(`${dir}/${figure}.png`)).size > 1000, figure);
    }
    const history = JSON.parse(await Deno.readTextFile(`${dir}/history.json`));
    assert.equal(typeof history.test_acc, "number");
    assert.equal(history.valid_loss.length, 1);

    const checkpoint = await loadCheckpoint(`${dir}/model.safetensors`);
    const architecture = checkpoint.architecture as Record<string, unknown>;
    assert.equal(architecture.batchNorm, true);
    assert.deepEqual(architecture.channels, [32, 64, 192]);
    assert.equal((architecture.settings as Record<string, unknown>).labelSmoothing, 0.1);
    // The running statistics were trained and saved (they start at mean 0, variance 1).
    assert.equal(
      "layers.1.bias" in checkpoint.model,
      false,
      "the conv before BatchNorm has no bias",
    );
    assert.ok(checkpoint.model["layers.2.runningMean"].data.some((v) => v !== 0));
    assert.ok(checkpoint.model["layers.2.runningVar"].data.some((v) => v !== 1));

    const report = await Deno.readTextFile(`${dir}/report.md`);
    assert.match(report, /3×3 convolution, batch normalisation \(the convolutions without bias\)/);
    assert.match(report, /label-smoothed cross-entropy \(ε 0\.1; validation and test losses/);
    assert.match(report, /The training loss is label-smoothed cross-entropy \(ε 0\.1\)/);

    // OCR reads with it, in evaluation mode (running statistics, not the page's own).
    const model = await loadOcrModel(`${dir}/model.safetensors`);
    assert.equal(model.network.training, false);
    const read = await readText(`${DATA_DIR}/images/02_letters.jpg`, { model });
    assert.ok(read.text.length > 20, read.text);

    // ONNX: the exported graph normalises with the same statistics as the engine.
    const onnxPath = `${dir}/model.onnx`;
    const summary = await exportCheckpoint(`${dir}/model.safetensors`, onnxPath);
    assert.equal(summary.inputs, 784);
    const { network } = await loadClassifier(`${dir}/model.safetensors`);
    const session = await OnnxSession.create(onnxPath, { threads: 1 });
    try {
      const rng = new Rng(7);
      for (const batch of [1, 5]) {
        const x = new Tensor(
          Float32Array.from({ length: batch * 784 }, () => rng.uniform(0, 1)),
          [batch, 784],
        );
        const { logits } = await session.run({ input: x });
        const want = noGrad(() => network.forward(x));
        assert.deepEqual([...logits.shape], [batch, 47]);
        const diff = maxAbsDiff(logits.data, want.data);
        assert.ok(diff <= 1e-4, `batch ${batch}: max |Δ logits| ${diff}`);
      }
    } finally {
      await session.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
