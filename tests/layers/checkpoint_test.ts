/** Checkpoints: bit-exact round trip, resume equals an uninterrupted run, fuzzed files fail cleanly. */

import assert from "node:assert/strict";
import { FormatError, InklingError, Rng } from "../../mod.ts";
import {
  checkpointEachEpoch,
  decodeCheckpoint,
  encodeCheckpoint,
  fit,
  type History,
  Linear,
  loadCheckpoint,
  restoreCheckpoint,
  saveCheckpoint,
  Sequential,
  SGD,
  Sigmoid,
} from "../../layers/mod.ts";
import { blobs } from "../../datasets/synthetic.ts";

const data = blobs(200, { features: 5, classes: 4, seed: 9 });

function setup() {
  const rng = new Rng(3);
  const model = new Sequential(new Linear(5, 8, { rng }), new Sigmoid(), new Linear(8, 4, { rng }));
  const optimizer = new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
  return { rng, model, optimizer };
}

function bits(values: ArrayLike<number>[]): string {
  return values.map((v) =>
    Array.from(new Uint32Array(new Float32Array(v as ArrayLike<number>).buffer)).join(",")
  ).join(";");
}

Deno.test("checkpoint round trip is bit-exact (model, optimizer, rng, history, metadata)", async () => {
  const { rng, model, optimizer } = setup();
  await fit(model, { train: data, epochs: 2, optimizer, rng, progress: "none" });
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  await saveCheckpoint(path, {
    model,
    optimizer,
    rng,
    epoch: 2,
    architecture: { kind: "mlp", sizes: [5, 8, 4] },
  });
  const back = await loadCheckpoint(path);
  for (const [name, t] of model.namedParameters()) {
    assert.equal(bits([back.model[name].data]), bits([t.data]), name);
  }
  for (const [name, t] of Object.entries(optimizer.stateTensors())) {
    assert.equal(bits([back.optimizer[name].data]), bits([t.data]), name);
  }
  assert.deepEqual(back.rng, JSON.parse(JSON.stringify(rng.getState())));
  assert.equal(back.epoch, 2);
  assert.deepEqual(back.architecture, { kind: "mlp", sizes: [5, 8, 4] });
  assert.deepEqual(back.optimizerInfo, { type: "SGD", lr: 0.2, steps: optimizer.steps });
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name),
    ["model.safetensors"],
    "no temp files left",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("resuming from a checkpoint gives bit-identical weights to an uninterrupted run", async () => {
  const straight = setup();
  await fit(straight.model, {
    train: data,
    epochs: 4,
    optimizer: straight.optimizer,
    rng: straight.rng,
    progress: "none",
  });

  const dir = await Deno.makeTempDir();
  const path = `${dir}/run.safetensors`;
  const first = setup();
  await fit(first.model, {
    train: data,
    epochs: 2,
    optimizer: first.optimizer,
    rng: first.rng,
    progress: "none",
    onEpochEnd: checkpointEachEpoch(path),
  });
  const second = setup(); // fresh objects: everything must come from the file
  const resume = await restoreCheckpoint(path, second);
  assert.equal(resume.epoch, 2);
  await fit(second.model, {
    train: data,
    epochs: 4,
    optimizer: second.optimizer,
    rng: second.rng,
    progress: "none",
    resume: { epoch: resume.epoch, history: resume.history as History },
  });
  assert.equal(
    bits(second.model.parameters().map((p) => p.data)),
    bits(straight.model.parameters().map((p) => p.data)),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("1,000 mutated or truncated checkpoints either load or throw FormatError", () => {
  const { rng, model, optimizer } = setup();
  const good = encodeCheckpoint({ model, optimizer, rng, epoch: 1, history: undefined });
  const r = new Rng(12345);
  let loaded = 0;
  for (let i = 0; i < 1000; i++) {
    let bytes = good.slice();
    const kind = i % 4;
    if (kind === 0) bytes = bytes.slice(0, r.int(bytes.length));
    else if (kind === 1) {
      for (let j = 0; j < 1 + r.int(4); j++) bytes[r.int(bytes.length)] = r.int(256);
    } else if (kind === 2) {
      // Mutate the header region, where structure lives.
      const headerEnd = 8 + new DataView(good.buffer).getUint32(0, true);
      bytes[r.int(headerEnd)] = '{}[]":,0123456789-eE. x'.charCodeAt(r.int(24));
    } else {
      new DataView(bytes.buffer).setUint32(r.int(2) * 4, r.nextUint32(), true);
    }
    try {
      const checkpoint = decodeCheckpoint(bytes, { source: `mutant ${i}` });
      for (const t of Object.values(checkpoint.model)) assert.equal(t.data.length, t.size);
      loaded++;
    } catch (error) {
      if (!(error instanceof FormatError || error instanceof InklingError)) {
        throw new Error(`mutant ${i} (${kind}) threw a foreign error: ${error}`);
      }
      assert.match((error as Error).message, new RegExp(`^mutant ${i}: `));
    }
  }
  assert.ok(loaded < 1000);
});
