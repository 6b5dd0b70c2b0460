/** classifierFromCheckpoint: a checkpoint's metadata and tensors become a network, or a named error. */

import assert from "node:assert/strict";
import { FormatError, Rng } from "../../mod.ts";
import { classifierFromCheckpoint, createClassifier } from "../../models/mod.ts";

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
