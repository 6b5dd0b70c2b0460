/** Checkpoint descriptions of the classifiers: parsing with named errors, and the networks built from them. */

import assert from "node:assert/strict";
import { InklingError, Rng, tensor } from "../../mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import {
  classifierTensorShapes,
  classNames,
  createClassifier,
  forwardFloatsPerGlyph,
  glyphSize,
  manualGradients,
  parseArchitecture,
} from "../../models/mod.ts";

const CNN = { kind: "cnn", size: 32, channels: [32, 64, 64], hidden: 128, dropout: 0.3 };

Deno.test("createClassifier: the MLP and the CNN with the parameters their checkpoints name", () => {
  const mlp = createClassifier(
    parseArchitecture({ kind: "mlp", inputs: 1024, hidden: 64, classes: 36 }, "mlp"),
    { rng: new Rng(0) },
  );
  assert.deepEqual(mlp.namedParameters().map(([name, p]) => [name, [...p.shape]]), [
    ["layers.0.weight", [1024, 64]],
    ["layers.0.bias", [64]],
    ["layers.2.weight", [64, 36]],
    ["layers.2.bias", [36]],
  ]);
  // The committed OCR model's layout: its checkpoint names these tensors.
  const cnn = createClassifier(parseArchitecture({ ...CNN, classes: NIST36_CLASSES }, "cnn"), {
    rng: new Rng(0),
  });
  assert.deepEqual(cnn.namedParameters().map(([name, p]) => [name, [...p.shape]]), [
    ["layers.1.weight", [32, 1, 3, 3]],
    ["layers.1.bias", [32]],
    ["layers.4.weight", [64, 32, 3, 3]],
    ["layers.4.bias", [64]],
    ["layers.7.weight", [64, 64, 3, 3]],
    ["layers.7.bias", [64]],
    ["layers.11.weight", [1024, 128]],
    ["layers.11.bias", [128]],
    ["layers.14.weight", [128, 36]],
    ["layers.14.bias", [36]],
  ]);
  const scores = cnn.eval().forward(tensor([new Array(1024).fill(1), new Array(1024).fill(0)]));
  assert.deepEqual([...scores.shape], [2, 36]);
});

Deno.test("classNames and glyphSize: names given or the NIST36 default; the side of the glyph", () => {
  assert.equal(classNames({ kind: "mlp", inputs: 1024, hidden: 8, classes: 36 }), NIST36_CLASSES);
  assert.equal(classNames({ ...CNN, kind: "cnn", classes: "0123456789" }), "0123456789");
  assert.throws(
    () => classNames({ kind: "mlp", inputs: 784, hidden: 8, classes: 10 }),
    /10 unnamed classes; only 36/,
  );
  assert.equal(glyphSize({ kind: "mlp", inputs: 784, hidden: 8, classes: "0123456789" }), 28);
  assert.equal(glyphSize({ ...CNN, kind: "cnn", classes: 36 }), 32);
});

Deno.test("parseArchitecture: every defect named with the source and the field", () => {
  const cases: [unknown, RegExp][] = [
    [null, /FormatError: x: no architecture description/],
    [{ kind: "rnn", classes: 36 }, /unknown kind "rnn"/],
    [
      { kind: "mlp", inputs: 0, hidden: 8, classes: 36 },
      /"inputs" is 0, not an integer in 1\.\.65536/,
    ],
    [{ kind: "mlp", inputs: 1024, hidden: 8, classes: "AA" }, /"classes" is "AA"/],
    [
      { kind: "mlp", inputs: 1024, hidden: 8, classes: 70_000 },
      /"classes" is 70000; need 2\.\.65536/,
    ],
    [
      { kind: "mlp", inputs: 1024, hidden: 8, classes: "x".repeat(70_000) },
      /"classes" is a string of 70000 characters/,
    ],
    [{ ...CNN, channels: [8, 8, 8, 8, 8, 8], classes: 36 }, /"channels" is \[8,8,8,8,8,8\]/],
    [{ ...CNN, dropout: 1, classes: 36 }, /"dropout" is 1, not a probability below 1/],
    [{ ...CNN, batchNorm: "yes", classes: 36 }, /"batchNorm" is "yes", not true or false/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseArchitecture(value, "x"), message, String(message));
  }
});

Deno.test("manualGradients: only for the MLP; any other network is a clear error", () => {
  const cnn = createClassifier(parseArchitecture({ ...CNN, classes: 36 }, "cnn"), {
    rng: new Rng(0),
  });
  assert.throws(
    () => manualGradients(cnn),
    (e: Error) =>
      e instanceof InklingError && /the hand-written backward pass is the MLP's/.test(e.message),
  );
  const mlp = createClassifier({ kind: "mlp", inputs: 4, hidden: 3, classes: "abc" }, {
    rng: new Rng(0),
  });
  const { loss } = manualGradients(mlp)({ x: tensor([[1, 0, 0, 1]]), y: Int32Array.of(2) });
  assert.ok(Number.isFinite(loss) && loss > 0);
});

Deno.test("classifierTensorShapes: the network's tensors, worked out without building it", () => {
  const architectures = [
    { kind: "mlp", inputs: 1024, hidden: 64, classes: 36 },
    { kind: "mlp", inputs: 16, hidden: 3, classes: "abcde" },
    { ...CNN, classes: NIST36_CLASSES },
    { ...CNN, size: 16, channels: [4], hidden: 7, classes: 36 },
    { ...CNN, size: 64, channels: [2, 3, 4, 5], hidden: 6, classes: "0123456789" },
    { ...CNN, classes: NIST36_CLASSES, batchNorm: true },
    { ...CNN, size: 28, channels: [3, 5], hidden: 6, classes: 36, batchNorm: true },
  ].map((value) => parseArchitecture(value, "test"));
  for (const architecture of architectures) {
    const built = createClassifier(architecture, { rng: new Rng(0) }).stateDict();
    const shapes = classifierTensorShapes(architecture);
    assert.deepEqual(
      [...shapes].map(([name, shape]) => [name, [...shape]]),
      Object.entries(built).map(([name, t]) => [name, [...t.shape]]),
      JSON.stringify(architecture),
    );
  }
  // A description worth 68 GB of weights costs nothing to examine.
  const huge = parseArchitecture({ ...CNN, channels: [1024], hidden: 65536, classes: 36 }, "x");
  assert.deepEqual(classifierTensorShapes(huge).get("layers.5.weight"), [262144, 65536]);
});

Deno.test("forwardFloatsPerGlyph: grows with the network; the default CNN's is ~350 000", () => {
  const floats = forwardFloatsPerGlyph({ ...CNN, kind: "cnn", classes: 36 });
  assert.ok(floats > 300_000 && floats < 400_000, String(floats));
  const wide = forwardFloatsPerGlyph({ ...CNN, kind: "cnn", channels: [1024], classes: 36 });
  assert.ok(wide > 10 * floats);
  assert.equal(
    forwardFloatsPerGlyph({ kind: "mlp", inputs: 1024, hidden: 64, classes: 36 }),
    1024 + 3 * 64 + 3 * 36,
  );
});

Deno.test("CNN with batch normalisation: bias-free convolutions, BatchNorm state by name", () => {
  const plain = parseArchitecture({ ...CNN, classes: 36, batchNorm: false }, "cnn");
  assert.equal(
    "batchNorm" in plain,
    false,
    "off is written as absent, as older checkpoints have it",
  );
  const architecture = parseArchitecture({ ...CNN, classes: 36, batchNorm: true }, "cnn");
  assert.equal(architecture.kind === "cnn" && architecture.batchNorm, true);
  const cnn = createClassifier(architecture, { rng: new Rng(0) });
  assert.deepEqual(Object.entries(cnn.stateDict()).map(([name, t]) => [name, [...t.shape]]), [
    ["layers.1.weight", [32, 1, 3, 3]],
    ["layers.2.weight", [32]],
    ["layers.2.bias", [32]],
    ["layers.2.runningMean", [32]],
    ["layers.2.runningVar", [32]],
    ["layers.5.weight", [64, 32, 3, 3]],
    ["layers.6.weight", [64]],
    ["layers.6.bias", [64]],
    ["layers.6.runningMean", [64]],
    ["layers.6.runningVar", [64]],
    ["layers.9.weight", [64, 64, 3, 3]],
    ["layers.10.weight", [64]],
    ["layers.10.bias", [64]],
    ["layers.10.runningMean", [64]],
    ["layers.10.runningVar", [64]],
    ["layers.14.weight", [1024, 128]],
    ["layers.14.bias", [128]],
    ["layers.17.weight", [128, 36]],
    ["layers.17.bias", [36]],
  ]);
  // Running statistics are buffers: saved, but not handed to the optimizer.
  assert.equal(cnn.parameters().length, 13);
  const bn = forwardFloatsPerGlyph(architecture);
  assert.ok(bn > forwardFloatsPerGlyph(plain), "normalising costs copies of each conv output");
});
