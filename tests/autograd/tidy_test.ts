/**
 * `tidy` and `keep` (autograd/tidy.ts) with the storage pool under them
 * (autograd/storage_pool.ts): what a scope releases, what survives it, that
 * released storage comes back zeroed to the next scope, and that a released
 * tensor fails loudly; also with the storage in the kernels' shared memory,
 * where every array shares one buffer.
 */

import assert from "node:assert/strict";
import {
  add,
  allocate,
  AutogradError,
  keep,
  matmul,
  maxPool2d,
  mul,
  neg,
  relu,
  reshape,
  SGD,
  squaredError,
  sum,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../../mod.ts";
import {
  clearStoragePool,
  pooledStorageBytes,
  RESIDENT_MIN_LENGTH,
} from "../../autograd/storage_pool.ts";
import { residentAddress } from "../../autograd/kernels/wasm/resident.ts";
import { wasm } from "./native_sets.ts";
import { withKernels } from "./op_check.ts";

/** Asserts that reading `t.data` throws the released-tensor error. */
function assertReleased(t: Tensor) {
  assert.throws(() => t.data, (e: unknown) => {
    assert.ok(e instanceof AutogradError);
    assert.match(e.message, /tensor of shape \[2, 2\] was released when the tidy\(\) scope/);
    assert.match(e.message, /return it from the scope's function or keep\(\) it/);
    return true;
  });
  assert.equal(t.toString(), "Tensor([2, 2], released)");
}

Deno.test("tidy releases what its ops made and keeps what it returns, in arrays and objects too", () => {
  clearStoragePool();
  const a = tensor([[1, 2], [3, 4]]);
  let inner!: Tensor;
  const out = tidy(() => {
    inner = add(a, a);
    return { list: [mul(a, a)], sum: add(inner, a) };
  });
  assertReleased(inner);
  assert.deepEqual(out.list[0].toArray(), [1, 4, 9, 16]);
  assert.deepEqual(out.sum.toArray(), [3, 6, 9, 12]);
  assert.deepEqual(a.toArray(), [1, 2, 3, 4], "a tensor made outside the scope is untouched");
  assert.equal(pooledStorageBytes(), 4 * 4, "the released output went to the pool");
});

Deno.test("released storage comes back zeroed to the next scope, as the same array", () => {
  clearStoragePool();
  let first!: Float32Array;
  tidy(() => {
    first = allocate("float32", 5) as Float32Array;
    first.fill(7);
  });
  tidy(() => {
    const again = allocate("float32", 5);
    assert.equal(again, first);
    assert.deepEqual([...again], [0, 0, 0, 0, 0]);
    again.fill(3);
  });
  tidy(() => {
    // For an op whose kernel writes every element: the same array, as it was left.
    const written = allocate("float32", 5, { written: true });
    assert.equal(written, first);
    assert.deepEqual([...written], [3, 3, 3, 3, 3]);
  });
  assert.notEqual(allocate("float32", 5), first, "outside every scope storage is new");
  assert.deepEqual([...allocate("float32", 5, { written: true })], [0, 0, 0, 0, 0], "and zero");
});

Deno.test("ops whose kernels write every element give the same results from reused storage", () => {
  // Inside tidy each step's outputs are the previous step's arrays, not zeroed, holding other
  // values: every element must be written. Outside every scope, storage is new and zero.
  const w = tensor([[1, 0], [0, 1], [1, 1]]);
  const step = (scale: number) => {
    const x = tensor([[-1, 2, -3], [4, -5, 6]].map((row) => row.map((v) => v * scale)));
    const y = relu(matmul(x, w));
    const pooled = maxPool2d(reshape(y, [1, 1, 2, 2]), { kernel: 2 });
    return [...sum(mul(y, y)).toArray(), ...pooled.toArray(), ...squaredError(y, neg(y)).toArray()];
  };
  for (const scale of [3, -2, 5, 1]) {
    assert.deepEqual(tidy(() => step(scale)), step(scale), `×${scale}`);
  }
});

Deno.test("keep(), creation functions, clone() and gradients (from backward or by hand) survive the scope", () => {
  clearStoragePool();
  const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  const x = tensor([[1, 0], [0, 1]]);
  const optimizer = new SGD([w], { lr: 0.5, momentum: 0.9 });
  const manual = tensor([1, 2]);
  let kept!: Tensor, made!: Tensor, copy!: Tensor;
  tidy(() => {
    manual.grad = add(manual, manual); // a hand-written gradient, as models/mlp.ts sets them
    kept = keep(mul(x, x));
    made = zeros([2, 2]);
    copy = add(x, x).clone();
    sum(matmul(w, x)).backward();
    optimizer.step(); // creates the momentum buffer inside the scope
  });
  assert.deepEqual(kept.toArray(), [1, 0, 0, 1]);
  assert.deepEqual(made.toArray(), [0, 0, 0, 0]);
  assert.deepEqual(copy.toArray(), [2, 0, 0, 2]);
  assert.deepEqual(w.grad!.toArray(), [1, 1, 1, 1]);
  assert.deepEqual(manual.grad!.toArray(), [2, 4]);
  assert.deepEqual(w.toArray(), [0.5, 1.5, 2.5, 3.5]);
  // A second step in a new scope uses the momentum kept from the first.
  tidy(() => {
    w.zeroGrad({ reuse: true });
    sum(matmul(w, x)).backward();
    optimizer.step();
  });
  assert.deepEqual(w.toArray(), [-0.45, 0.55, 1.55, 2.55].map(Math.fround));
});

Deno.test("a returned view keeps the storage it shares, and the tensor it came from", () => {
  clearStoragePool();
  const a = tensor([1, 2, 3, 4]);
  let base!: Tensor;
  const view = tidy(() => {
    base = add(a, a);
    return reshape(base, [2, 2]);
  });
  assert.deepEqual(view.toArray(), [2, 4, 6, 8]);
  assert.deepEqual(base.toArray(), [2, 4, 6, 8]);
  assert.equal(pooledStorageBytes(), 0);
});

Deno.test("nested scopes: what the inner one returns belongs to the outer one", () => {
  clearStoragePool();
  const a = tensor([[1, 2], [3, 4]]);
  let fromInner!: Tensor;
  tidy(() => {
    fromInner = tidy(() => add(a, a));
    assert.deepEqual(fromInner.toArray(), [2, 4, 6, 8], "valid after the inner scope");
  });
  assertReleased(fromInner);
  // A tensor of the outer scope kept in an inner one (as a gradient) survives both.
  const w = tensor([1, 2]);
  tidy(() => {
    const outer = add(w, w);
    tidy(() => {
      w.grad = outer;
    });
  });
  assert.deepEqual(w.grad!.toArray(), [2, 4]);
});

Deno.test("a scope that throws, or returns a tensor still on the tape, releases nothing", () => {
  clearStoragePool();
  const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
  let made!: Tensor;
  assert.throws(() =>
    tidy(() => {
      made = add(w, w);
      throw new RangeError("step failed");
    }), RangeError);
  assert.deepEqual(made.toArray(), [2, 4, 6, 8]);
  let hidden!: Tensor;
  const loss = tidy(() => {
    hidden = mul(w, w);
    return sum(add(hidden, w));
  });
  loss.backward();
  assert.deepEqual(w.grad!.toArray(), [3, 5, 7, 9]);
  assert.deepEqual(hidden.toArray(), [1, 4, 9, 16]);
  assert.equal(pooledStorageBytes(), 0);
});

Deno.test("tidy refuses an async function with a clear error", () => {
  assert.throws(
    () => tidy(() => Promise.resolve(1)),
    (e: unknown) => e instanceof AutogradError && /must be synchronous/.test(e.message),
  );
});

Deno.test("on the WebAssembly kernels a scope's results live in the shared memory and are told apart one by one", () => {
  clearStoragePool();
  withKernels(wasm, () => {
    const n = RESIDENT_MIN_LENGTH;
    const a = tensor(Array.from({ length: n }, (_, i) => i - 100));
    let dropped!: Tensor;
    let droppedData!: Float32Array;
    let base!: Tensor;
    const [view, doubled] = tidy(() => {
      dropped = relu(a);
      droppedData = dropped.data as Float32Array;
      base = neg(a);
      return [reshape(base, [n / 2, 2]), add(a, a)];
    });
    assert.ok(
      residentAddress(droppedData) >= 0,
      "a result of RESIDENT_MIN_LENGTH floats is resident",
    );
    assert.ok(residentAddress(doubled.data) >= 0 && residentAddress(base.data) >= 0);
    assert.throws(
      () => dropped.data,
      AutogradError,
      "released, though its buffer is the kept ones'",
    );
    assert.deepEqual(
      view.toArray(),
      a.toArray().map((v) => -v),
      "a returned view keeps its storage",
    );
    assert.deepEqual(doubled.toArray(), a.toArray().map((v) => 2 * v));
    assert.equal(pooledStorageBytes(), 4 * n, "only the dropped result went to the pool");
    const again = tidy(() => relu(a).data);
    assert.equal(again, droppedData, "the next scope takes the same resident array");
    const short = tidy(() => relu(tensor([1, -1])));
    assert.equal(residentAddress(short.data), -1, "shorter results stay ordinary arrays");
  });
  clearStoragePool();
});
