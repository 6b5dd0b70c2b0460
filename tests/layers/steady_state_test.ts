/**
 * Steady-state training steps reuse their storage (issue 17): after warm-up,
 * an MLP step and an autoencoder step, each run as a `tidy` scope with the
 * batch gathered into a `BatchBuffer` and `zeroGrad({ reuse: true })`,
 * allocate no new float array at all, on every float32 backend; and the
 * reuse changes no bit of the trained weights: a run that reuses everything
 * (with the kept gradients and the batch poisoned with NaN between steps,
 * so any element a kernel failed to overwrite would show) equals a run that
 * allocates fresh storage for every tensor (the reusing run's float32 arrays
 * live in the kernels' shared memory where they offer it, the other's do not).
 * (That pooled arrays come back zeroed is tested in `tests/autograd/tidy_test.ts`.)
 */

import assert from "node:assert/strict";
import { crossEntropy, rand, Rng, squaredError, type Tensor, tidy } from "../../mod.ts";
import { BatchBuffer, Linear, Sequential, SGD, Sigmoid, takeBatch } from "../../layers/mod.ts";
import { createAutoencoder } from "../../compression/autoencoder.ts";
import { FLOAT32_BACKENDS, withKernels } from "../autograd/op_check.ts";

/** Runs a step without a tidy scope (the fresh-storage run). */
function run(body: () => void): void {
  body();
}

/** One training step; returns the batch it trained on. */
type Step = () => { x: Tensor; y?: Int32Array };

/** A fit-style MLP step: batch gathered into reused storage, class-index targets. */
function mlp(reuse: boolean): { step: Step; params: Tensor[] } {
  const rng = new Rng(0);
  const data = {
    x: rand([320, 1024], { rng }),
    y: Int32Array.from({ length: 320 }, (_, i) => i % 36),
  };
  const model = new Sequential(
    new Linear(1024, 64, { rng }),
    new Sigmoid(),
    new Linear(64, 36, { rng }),
  );
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const order = rng.permutation(320);
  const buffer = new BatchBuffer();
  let s = 0;
  const step = () => {
    const rows = order.subarray((s % 10) * 32, (s % 10) * 32 + 32);
    s++;
    const batch = reuse ? buffer.take(data, rows) : takeBatch(data, rows);
    (reuse ? tidy : run)(() => {
      const loss = crossEntropy(model.forward(batch.x), batch.y as Int32Array);
      model.zeroGrad({ reuse });
      loss.backward();
      optimizer.step();
    });
    return { x: batch.x, y: batch.y as Int32Array };
  };
  return { step, params: model.parameters() };
}

/** The autoencoder step of `bench/workloads.ts`. */
function autoencoder(reuse: boolean): { step: Step; params: Tensor[] } {
  const rng = new Rng(0);
  const x = rand([360, 1024], { rng });
  const model = createAutoencoder(1024, { hidden: 32, rng });
  const optimizer = new SGD(model.parameters(), { lr: 3e-5, momentum: 0.9 });
  const order = rng.permutation(360);
  const buffer = new BatchBuffer();
  let s = 0;
  const step = () => {
    const rows = order.subarray((s % 10) * 36, (s % 10) * 36 + 36);
    s++;
    const batch = reuse ? buffer.gather(x, rows) : takeBatch({ x, y: x }, rows).x;
    (reuse ? tidy : run)(() => {
      const loss = squaredError(model.forward(batch), batch);
      model.zeroGrad({ reuse });
      loss.backward();
      optimizer.step();
    });
    return { x: batch };
  };
  return { step, params: model.parameters() };
}

/** The element types of tensor storage (index arrays inside kernels are not counted). */
const TYPED = ["Float32Array", "Float64Array"] as const;

/** Float arrays with their own storage made while `body` runs (views of a buffer excluded). */
function countAllocations(body: () => void): number {
  const global = globalThis as unknown as Record<string, unknown>;
  const originals = TYPED.map((name) => global[name]);
  let count = 0;
  TYPED.forEach((name, i) => {
    global[name] = new Proxy(originals[i] as new (...args: unknown[]) => unknown, {
      construct(target, args, newTarget) {
        if (!(args[0] instanceof ArrayBuffer || args[0] instanceof SharedArrayBuffer)) count++;
        return Reflect.construct(target, args, newTarget);
      },
    });
  });
  try {
    body();
  } finally {
    TYPED.forEach((name, i) => (global[name] = originals[i]));
  }
  return count;
}

/** Index of the first element whose bits differ, or -1 (a short message where deepEqual's would be huge). */
function firstDifference(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

const WORKLOADS = [
  { name: "MLP", make: mlp },
  { name: "autoencoder", make: autoencoder },
];

for (const { name, make } of WORKLOADS) {
  Deno.test(`${name} steps allocate no float array after warm-up, on every backend`, () => {
    for (const backend of FLOAT32_BACKENDS) {
      withKernels(backend.kernels, () => {
        const { step } = make(true);
        for (let i = 0; i < 3; i++) step();
        const steps = 5;
        const count = countAllocations(() => {
          for (let i = 0; i < steps; i++) step();
        });
        assert.equal(count, 0, `${name} on ${backend.name}: arrays made in ${steps} steps`);
      });
    }
  });

  Deno.test(`${name} steps with reused storage train bit for bit as with fresh storage`, () => {
    for (const backend of FLOAT32_BACKENDS) {
      withKernels(backend.kernels, () => {
        const reused = make(true);
        const fresh = make(false);
        for (let i = 0; i < 12; i++) {
          const batch = reused.step();
          fresh.step();
          // Poison what the next step reuses: an element left unwritten would show.
          for (const p of reused.params) p.grad?.data.fill(NaN);
          batch.x.data.fill(NaN);
          batch.y?.fill(-1);
        }
        reused.params.forEach((p, i) => {
          const where = `${name} on ${backend.name}: parameter ${i}`;
          assert.equal(firstDifference(p.data, fresh.params[i].data), -1, `${where} differs at`);
        });
      });
    }
  });
}
