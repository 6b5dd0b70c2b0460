/**
 * Tests of the native gemm's panel split: 1 and 2 threads give the same
 * bits (odd and even sizes, row, column and depth panels, transposes,
 * accumulation, subarrays), row and column panels match one unsplit BLAS
 * call bit for bit on these shapes (depth panels add partial products, so
 * only to rounding), the engine's pool's workers really run panels, the
 * panel plan covers C (or k) exactly, the split SGD update gives the same
 * bits on 1 and 2 threads, and training a small CNN on the native set gives
 * the same weights on 1 and 2 threads.
 * Tests that need OpenBLAS are skipped (ignored, with the reason in their
 * name) where it is absent.
 */

import assert from "node:assert/strict";
import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels as ref,
  setThreads,
  shutdownThreads,
  useKernels,
} from "../../autograd/kernels/mod.ts";
import { openBlas } from "../../autograd/kernels/native/blas.ts";
import { threadPool } from "../../autograd/kernels/threads/mod.ts";
import {
  DEPTH_RATIO,
  MAX_PIECES,
  PANELS,
  planPanels,
  SMALL_CALL,
  SPLIT_MIN_WORK,
} from "../../autograd/kernels/native/panels.ts";
import { SPLIT_MIN_LENGTH } from "../../autograd/kernels/native/sgd_update.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";
import { onOneAndTwoThreads } from "./native_sets.ts";
import { trainSmallCnn } from "./small_cnn.ts";

// Opened here, outside any test, so the resource sanitizer never sees the library being loaded.
const probe = loadNativeKernels(ref);
const skipped = probe.kernels === null ? ` (skipped: ${probe.reason})` : "";

/** The engine's pool, which runs the native panels (null before the first split product). */
const pool = () => threadPool(() => null);

/** Waits (a little) for the pool's worker to open the library, so it can take panels. */
async function workerReady(): Promise<void> {
  for (let i = 0; i < 200 && (pool()?.ready ?? 0) < 1; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Row panels (m ≥ n) and column panels (n > m), odd and even, a k = 17 one, and depth
// panels (k ≥ DEPTH_RATIO times C's longer side): the MLP's forward product and an odd one.
// Panels in pieces (SMALL_CALL): the MLP's products (depth, and rows: its weight gradient's
// shape), columns, an odd depth one, and one product (below SPLIT_MIN_WORK) in two pieces.
const SHAPES = [
  { m: 1000, n: 77, k: 999 },
  { m: 77, n: 1000, k: 999 },
  { m: 256, n: 256, k: 1024 },
  { m: 257, n: 129, k: 513 },
  { m: 33, n: 65, k: 4097 },
  { m: 1023, n: 1025, k: 17 },
  { m: 32, n: 64, k: 1024 },
  { m: 1024, n: 64, k: 32 },
  { m: 40, n: 1400, k: 40 },
  { m: 17, n: 45, k: 3001 },
  { m: 100, n: 100, k: 102 },
];

/** Whether a product splits along k. */
const deep = (shape: { m: number; n: number; k: number }) =>
  planPanels({ ...shape, transA: false, transB: false })[1]?.partial === true;

Deno.test(`native gemm: 1 and 2 threads give the same bits, and so does one BLAS call${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(ref, async (one, two) => {
    const blas = openBlas().blas!;
    const { m, n, k } = SHAPES[0];
    two.gemm({
      m,
      n,
      k,
      a: new Float32Array(m * k),
      b: new Float32Array(k * n),
      c: new Float32Array(m * n),
    });
    await workerReady();
    for (const { m, n, k } of SHAPES) {
      const panels = planPanels({ m, n, k, transA: false, transB: false });
      assert.ok(panels.length > 1 || panels[0].calls.length > 1, "the split is taken");
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const accumulate of [false, true]) {
            const what =
              `${m}×${n}×${k} transA ${transA} transB ${transB} accumulate ${accumulate}`;
            const a = randomArray(m * k, m + k);
            const b = randomArray(k * n, n + 1);
            const c0 = randomArray(m * n, 7);
            const [c1, c2, whole] = [c0.slice(), c0.slice(), c0.slice()];
            const args = { a, b, m, n, k, transA, transB, accumulate };
            one.gemm({ ...args, c: c1 });
            two.gemm({ ...args, c: c2 });
            blas.sgemm({ a, b, c: whole, m, n, k, transA, transB, beta: accumulate ? 1 : 0 });
            assertSameBits(c2, c1, `2 vs 1 thread ${what}`);
            // Panels of C are the one call's bits, unless cut along k or into pieces, which
            // OpenBLAS's small-matrix kernels sum in their own order.
            if (!deep({ m, n, k }) && panels.every((p) => p.calls.length === 1)) {
              assertSameBits(c1, whole, `split vs one call ${what}`);
            } else {
              for (let i = 0; i < m * n; i++) {
                const tolerance = 1e-6 * k * (1 + Math.abs(whole[i]));
                assert.ok(Math.abs(c1[i] - whole[i]) <= tolerance, `${what}: C[${i}]`);
              }
            }
          }
        }
      }
    }
    assert.ok(pool()!.tasksByWorkers > 0, "the worker ran panels");
    shutdownThreads();
    assert.equal(pool(), null);
  }));

Deno.test(`native gemm split reads and writes subarrays at their offsets${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(ref, async (one, two) => {
    const [m, n, k] = [301, 97, 403]; // above SPLIT_MIN_WORK, so it splits
    const big = randomArray(m * k + k * n + 100, 5);
    const a = big.subarray(13, 13 + m * k);
    const b = big.subarray(50 + m * k, 50 + m * k + k * n);
    const outs = [one, two, ref].map((kernels) => {
      const out = new Float32Array(m * n + 40).fill(7);
      kernels.gemm({ a, b, c: out.subarray(17, 17 + m * n), m, n, k });
      return out;
    });
    two.gemm({ a, b, c: new Float32Array(m * n), m, n, k });
    await workerReady();
    const again = new Float32Array(m * n + 40).fill(7);
    two.gemm({ a, b, c: again.subarray(17, 17 + m * n), m, n, k });
    assertSameBits(outs[1], outs[0], "2 vs 1 thread, whole array");
    assertSameBits(again, outs[0], "2 threads with the worker up, whole array");
    for (const out of [outs[0], again]) {
      assert.deepEqual([...out.subarray(0, 17), ...out.subarray(17 + m * n)], Array(40).fill(7));
      for (let i = 0; i < m * n; i++) {
        assert.ok(Math.abs(out[17 + i] - outs[2][17 + i]) <= 1e-6 * k + 1e-6, `C[${i}]`);
      }
    }
  }));

Deno.test(`native training: a small CNN gets the same weights on 1 and 2 threads${skipped}`, {
  ignore: probe.kernels === null,
}, async () => {
  const wasm = loadWasmKernels(ref)!;
  const train = (kernels: Kernels) => {
    const previous = useKernels(kernels);
    try {
      return trainSmallCnn();
    } finally {
      useKernels(previous);
    }
  };
  await onOneAndTwoThreads(wasm, async (one, two) => {
    train(two);
    await workerReady();
    const before = pool()!.jobs;
    const withTwo = train(two);
    assert.ok(pool()!.jobs > before, "products took the split path");
    // One thread for everything: the native products and the wasm kernels under them.
    setThreads(1);
    const withOne = train(one);
    assert.deepEqual(withTwo.losses, withOne.losses);
    withOne.weights.forEach((w, i) => assertSameBits(withTwo.weights[i], w, `parameter ${i}`));
  });
});

Deno.test(`native SGD update: split into parts, the same bits on 1 and 2 threads${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(ref, async (one, two) => {
    const warm = new Float32Array(SPLIT_MIN_LENGTH);
    two.sgdUpdate(warm, { grad: warm, lr: 0.1 });
    await workerReady();
    // Odd lengths, so a part ends off any vector boundary; one below the split.
    for (const n of [SPLIT_MIN_LENGTH - 1, SPLIT_MIN_LENGTH + 37, 4 * SPLIT_MIN_LENGTH + 5]) {
      for (const momentum of [undefined, 0.9]) {
        const grad = randomArray(n, n);
        const start = () => ({
          param: randomArray(n, 3),
          velocity: momentum === undefined ? undefined : randomArray(n, 4),
        });
        const [a, b] = [start(), start()];
        const before = pool()?.jobs ?? 0;
        for (let step = 0; step < 2; step++) {
          one.sgdUpdate(a.param, { grad, lr: 0.03, velocity: a.velocity, momentum });
          two.sgdUpdate(b.param, { grad, lr: 0.03, velocity: b.velocity, momentum });
        }
        const what = `${n} elements, momentum ${momentum}`;
        assertSameBits(b.param, a.param, `parameter, ${what}`);
        if (a.velocity) assertSameBits(b.velocity!, a.velocity, `velocity, ${what}`);
        assert.equal((pool()?.jobs ?? 0) > before, n >= SPLIT_MIN_LENGTH, `pool used, ${what}`);
        // The exact update, to float32 rounding (BLAS may fuse the multiply and the add).
        const p0 = randomArray(n, 3);
        const v0 = momentum === undefined ? null : randomArray(n, 4);
        for (let i = 0; i < n; i += 997) {
          let [p, v] = [p0[i], v0?.[i] ?? 0];
          for (let step = 0; step < 2; step++) {
            v = momentum === undefined ? -0.03 * grad[i] : momentum * v - 0.03 * grad[i];
            p += v;
          }
          assert.ok(Math.abs(a.param[i] - p) <= 1e-6 * (1 + Math.abs(p)), `${what}: [${i}]`);
        }
      }
    }
  }));

Deno.test("panel plan: small products stay whole; panels tile C exactly, edges aligned", () => {
  assert.equal(planPanels({ m: 64, n: 64, k: 64, transA: false, transB: false }).length, 1);
  assert.ok(64 * 64 * 64 < SPLIT_MIN_WORK);
  const [whole] = planPanels({ m: 100, n: 100, k: 102, transA: false, transB: false });
  assert.deepEqual(
    [whole.m, whole.calls.map((call) => [call.m, call.cOffset])],
    [100, [[50, 0], [50, 5000]]],
    "whole, in two pieces of rows",
  );
  for (const { m, n, k } of SHAPES.filter(({ m, n, k }) => m * n * k >= SPLIT_MIN_WORK)) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const panels = planPanels({ m, n, k, transA, transB });
        assert.equal(panels.length, PANELS);
        for (const p of panels) {
          // As few pieces as keep each call small, unless that takes more than MAX_PIECES; they
          // tile the panel along its own dimension (depth pieces after the first add into it).
          const wanted = Math.ceil((p.m * p.n * p.k) / SMALL_CALL);
          assert.equal(p.calls.length, wanted <= MAX_PIECES ? wanted : 1, `${m}×${n}×${k} pieces`);
          const dims = p.calls.map((call) => [call.m, call.n, call.k]);
          const summed = dims.reduce((sum, d) => sum.map((v, i) => v + d[i]), [0, 0, 0]);
          const cut = deep({ m, n, k }) ? 2 : m >= n ? 0 : 1;
          assert.deepEqual(
            summed.map((v, i) => i === cut ? v : v / p.calls.length),
            [p.m, p.n, p.k],
            "pieces tile the panel",
          );
          assert.deepEqual(
            p.calls.map((call) => call.add),
            p.calls.map((_, i) => cut === 2 && i > 0),
          );
          assert.equal(p.calls[0].cOffset, p.cOffset, "the first piece starts the panel");
        }
        if (deep({ m, n, k })) {
          assert.ok(k >= DEPTH_RATIO * Math.max(m, n));
          let next = 0;
          panels.forEach((p, i) => {
            assert.deepEqual([p.m, p.n, p.partial], [m, n, i > 0], "whole C, partials after 0");
            assert.equal(p.cOffset, Math.max(i - 1, 0) * m * n, "own partial");
            assert.equal(p.aOffset, transA ? next * m : next, "op(A) columns from the edge");
            assert.equal(p.bOffset, transB ? next : next * n, "op(B) rows from the edge");
            assert.equal(next % 16, 0, "aligned");
            next += p.k;
          });
          assert.equal(next, k, "covers k");
          continue;
        }
        const byRows = m >= n;
        let next = 0;
        for (const p of panels) {
          const start = byRows ? p.cOffset / n : p.cOffset;
          assert.equal(start, next, "contiguous");
          assert.equal(start % 16, 0, "aligned");
          assert.equal(byRows ? p.n : p.m, byRows ? n : m, "full width");
          if (byRows) assert.equal(p.aOffset, transA ? start : start * k);
          else assert.equal(p.bOffset, transB ? start * k : start);
          next = start + (byRows ? p.m : p.n);
        }
        assert.equal(next, byRows ? m : n, "covers C");
      }
    }
  }
});
