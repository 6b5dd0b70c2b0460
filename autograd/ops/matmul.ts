/**
 * Matrix products: 2-D, and batched over leading axes (a 2-D operand is
 * shared by every batch entry). The backward rules call the gemm kernel with
 * transposed operands directly instead of materialising transposes.
 *
 * @module
 */

import { ShapeError } from "../errors.ts";
import { kernels } from "../kernels/backend.ts";
import type { Storage } from "../kernels/kernels.ts";
import { sameShape, showShape, sizeOf } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";

interface Plan {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** 0 when the operand is shared by every batch entry. */
  aStep: number;
  bStep: number;
  shape: number[];
}

function plan(a: Tensor, b: Tensor): Plan {
  const fail = () =>
    new ShapeError(`matmul: shapes ${showShape(a.shape)} and ${showShape(b.shape)} do not fit`);
  if (a.ndim < 2 || b.ndim < 2) throw fail();
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) throw fail();
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  if (aBatch.length > 0 && bBatch.length > 0 && !sameShape(aBatch, bBatch)) throw fail();
  const batchShape = aBatch.length > 0 ? aBatch : bBatch;
  return {
    batch: sizeOf(batchShape),
    m,
    k,
    n,
    aStep: aBatch.length > 0 ? m * k : 0,
    bStep: bBatch.length > 0 ? k * n : 0,
    shape: [...batchShape, m, n],
  };
}

/** Runs gemm per batch entry on sub-arrays; `cStep` 0 accumulates every entry into one. */
function batchedGemm(
  p: { batch: number; m: number; k: number; n: number },
  x: { a: Storage; aStep: number; transA?: boolean },
  y: { b: Storage; bStep: number; transB?: boolean; c: Storage; cStep: number },
): void {
  const { m, k, n } = p;
  for (let i = 0; i < p.batch; i++) {
    kernels().gemm({
      a: x.a.subarray(i * x.aStep, i * x.aStep + m * k),
      b: y.b.subarray(i * y.bStep, i * y.bStep + k * n),
      c: y.c.subarray(i * y.cStep, i * y.cStep + m * n),
      m,
      k,
      n,
      transA: x.transA,
      transB: y.transB,
      accumulate: y.cStep === 0 && i > 0,
    });
  }
}

/**
 * Matrix product a @ b of shapes [..., m, k] and [..., k, n]. Leading (batch)
 * axes must match, or one operand may be 2-D and is then shared.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const dtype = checkSameDType("matmul", a, b);
  const p = plan(a, b);
  const { batch, m, k, n } = p;
  const c = allocate(dtype, sizeOf(p.shape));
  batchedGemm(p, { a: a.data, aStep: p.aStep }, {
    b: b.data,
    bStep: p.bStep,
    c,
    cStep: m * n,
  });
  return record("matmul", [a, b], new Tensor(c, p.shape), (g) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = dC @ Bᵀ, summed over the batch when A was shared.
      const data = allocate(dtype, a.size);
      batchedGemm({ batch, m, k: n, n: k }, { a: g.data, aStep: m * n }, {
        b: b.data,
        bStep: p.bStep,
        transB: true,
        c: data,
        cStep: p.aStep,
      });
      ga = new Tensor(data, a.shape);
    }
    if (b.requiresGrad) {
      // dB = Aᵀ @ dC, summed over the batch when B was shared.
      const data = allocate(dtype, b.size);
      batchedGemm({ batch, m: k, k: m, n }, { a: a.data, aStep: p.aStep, transA: true }, {
        b: g.data,
        bStep: m * n,
        c: data,
        cStep: p.bStep,
      });
      gb = new Tensor(data, b.shape);
    }
    return [ga, gb];
  });
}
