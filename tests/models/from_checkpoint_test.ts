/** classifierFromCheckpoint: a checkpoint's metadata and tensors become a network, or a named error. */

import assert from "node:assert/strict";
import { FormatError, noGrad, Rng, Tensor } from "../../mod.ts";
import { BatchNorm, decodeCheckpoint, encodeCheckpoint, loadCheckpoint } from "../../layers/mod.ts";
import { classifierFromCheckpoint, createClassifier } from "../../models/mod.ts";

const OCR_MODEL = new URL("../../ocr/default_model.safetensors", import.meta.url).pathname;

const architecture = {
  kind: "cnn",
  size: 16,
  channels: [2, 3],
  hidden: 5,
  dropout: 0,
  classes: "ABC",
};

Deno.test("classifierFromCheckpoint rebuilds the network with the checkpoint's weights, in eval mode", () => {
  const trained = createClassifier(
    { kind: "cnn", size: 16, channels: [2, 3], hidden: 5, dropout: 0, classes: "ABC" },
    { rng: new Rng(9) },
  );
  const built = classifierFromCheckpoint({ architecture, model: trained.stateDict() }, "run/a");
  assert.equal(built.classes, "ABC");
  assert.equal(built.network.training, false);
  assert.deepEqual(
    built.network.parameters().map((p) => Array.from(p.data)),
    trained.parameters().map((p) => Array.from(p.data)),
  );
});

Deno.test("classifierFromCheckpoint: metadata claiming a huge network fails on the tensors, naming the file", () => {
  const small = createClassifier({ ...architecture, kind: "cnn" } as const, { rng: new Rng(0) });
  const huge = { ...architecture, channels: [1024, 1024], hidden: 65536 };
  const started = performance.now();
  assert.throws(
    () => classifierFromCheckpoint({ architecture: huge, model: small.stateDict() }, "run/b"),
    (e) =>
      e instanceof FormatError &&
      /^run\/b: weights do not fit the cnn architecture/.test(e.message),
  );
  assert.ok(
    performance.now() - started < 1000,
    "nothing the size of the claimed network was built",
  );
  assert.throws(
    () =>
      classifierFromCheckpoint({ architecture: { kind: "rnn", classes: 3 }, model: {} }, "run/c"),
    /run\/c: .*unknown kind "rnn"/,
  );
});

Deno.test("a CNN with batch normalisation: checkpoint round trip, same evaluation outputs", () => {
  const bn = { ...architecture, batchNorm: true };
  const trained = createClassifier({ ...bn, kind: "cnn" } as const, { rng: new Rng(3) });
  // A few training-mode passes move the running statistics off their initial 0 and 1.
  const rng = new Rng(4);
  const glyphs = () =>
    new Tensor(Float32Array.from({ length: 6 * 256 }, () => rng.uniform(0, 1)), [6, 256]);
  for (let i = 0; i < 3; i++) trained.train().forward(glyphs());
  const stats = trained.stateDict()["layers.2.runningMean"];
  assert.ok(stats.data.some((v) => v !== 0));
  const bytes = encodeCheckpoint({ model: trained, architecture: bn });
  const built = classifierFromCheckpoint(decodeCheckpoint(bytes), "run/bn");
  assert.equal(built.network.training, false);
  assert.deepEqual(built.architecture, bn);
  const x = glyphs();
  const want = noGrad(() => trained.eval().forward(x));
  const got = noGrad(() => built.network.forward(x));
  assert.deepEqual(Array.from(got.data), Array.from(want.data));
  // In evaluation mode one glyph reads the same alone as in a batch (running statistics;
  // float32 sums may differ in their last bits between batch sizes, nothing more).
  const alone = noGrad(() => built.network.forward(new Tensor(x.data.slice(0, 256), [1, 256])));
  alone.data.forEach((v, i) =>
    assert.ok(Math.abs(v - got.data[i]) < 1e-5, `${v} vs ${got.data[i]}`)
  );
});

Deno.test("batch normalisation that the tensors do not have (or have unasked) is a named error", () => {
  const plain = createClassifier({ ...architecture, kind: "cnn" } as const, { rng: new Rng(0) });
  const normed = createClassifier({ ...architecture, kind: "cnn", batchNorm: true } as const, {
    rng: new Rng(0),
  });
  assert.throws(
    () =>
      classifierFromCheckpoint(
        { architecture: { ...architecture, batchNorm: true }, model: plain.stateDict() },
        "run/old",
      ),
    (e) =>
      e instanceof FormatError &&
      /^run\/old: weights do not fit the cnn architecture/.test(e.message) &&
      /missing \[layers\.2\.weight, layers\.2\.bias, layers\.2\.runningMean, /.test(e.message) &&
      /unexpected \[layers\.1\.bias, /.test(e.message),
  );
  assert.throws(
    () => classifierFromCheckpoint({ architecture, model: normed.stateDict() }, "run/new"),
    (e) => e instanceof FormatError && /unexpected \[layers\.2\.weight, /.test(e.message),
  );
  // A BatchNorm vector of the wrong length names the tensor and both shapes.
  const state = {
    ...normed.stateDict(),
    "layers.2.runningVar": new Tensor(new Float32Array(5), [5]),
  };
  assert.throws(
    () =>
      classifierFromCheckpoint(
        { architecture: { ...architecture, batchNorm: true }, model: state },
        "run/bad",
      ),
    /"layers\.2\.runningVar" is \[5\], the architecture needs \[2\]/,
  );
});

Deno.test("a checkpoint written before batch normalisation (no batchNorm key) still loads", async () => {
  const checkpoint = await loadCheckpoint(OCR_MODEL);
  assert.equal(Object.hasOwn(checkpoint.architecture as object, "batchNorm"), false);
  const { network, architecture: read } = classifierFromCheckpoint(checkpoint, OCR_MODEL);
  assert.equal(read.kind === "cnn" && read.batchNorm, undefined);
  assert.equal(network.layers.some((layer) => layer instanceof BatchNorm), false);
});
