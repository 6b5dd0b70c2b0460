/**
 * The convolution op `conv2d(x, W, { bias, activation, stride, padding })`:
 * gradient-checked with each fused activation on every backend through the
 * op helper; a batch large enough to run in several chunks checked against
 * a direct float64 convolution (forward and every gradient); and the fused
 * activation equal bit for bit to conv2d followed by the activation op.
 */

import assert from "node:assert/strict";
import * as ink from "../../mod.ts";
import { useKernels } from "../../autograd/kernels/mod.ts";
import { checkOp, FLOAT32_BACKENDS, type OpCase } from "./op_check.ts";

/** Geometry of a direct convolution. */
interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  k: number;
  stride: number;
  pad: number;
}

function outputSize(g: Geometry): { oh: number; ow: number } {
  return {
    oh: Math.floor((g.h + 2 * g.pad - g.k) / g.stride) + 1,
    ow: Math.floor((g.w + 2 * g.pad - g.k) / g.stride) + 1,
  };
}

/**
 * Visits every (output, input, weight) triple of a direct convolution in
 * float64; `visit` gets the flat output, input and weight positions.
 */
function eachTap(g: Geometry, visit: (o: number, i: number, wt: number) => void): void {
  const { oh, ow } = outputSize(g);
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.oc; oc++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
          const o = ((b * g.oc + oc) * oh + y) * ow + x;
          for (let c = 0; c < g.c; c++) {
            for (let i = 0; i < g.k; i++) {
              for (let j = 0; j < g.k; j++) {
                const iy = y * g.stride - g.pad + i;
                const ix = x * g.stride - g.pad + j;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                visit(
                  o,
                  ((b * g.c + c) * g.h + iy) * g.w + ix,
                  ((oc * g.c + c) * g.k + i) * g.k + j,
                );
              }
            }
          }
        }
      }
    }
  }
}

/** conv(x, w) + b in float64 by the direct loops, [N, OC, OH, OW]. */
function directConv(g: Geometry, x: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
  const { oh, ow } = outputSize(g);
  const z = new Float64Array(g.n * g.oc * oh * ow);
  for (let o = 0; o < z.length; o++) z[o] = b[Math.floor(o / (oh * ow)) % g.oc];
  eachTap(g, (o, i, wt) => (z[o] += x[i] * w[wt]));
  return z;
}

const ACTIVATE: Record<ink.ActivationOp, (z: number) => number> = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  relu: (z) => Math.max(z, 0),
};

const SMALL: Geometry = { n: 2, c: 3, h: 5, w: 6, oc: 4, k: 3, stride: 1, pad: 0 };
const STRIDED: Geometry = { n: 2, c: 2, h: 7, w: 5, oc: 3, k: 3, stride: 2, pad: 1 };

const cases: OpCase[] = (["sigmoid", "tanh", "relu"] as const).flatMap((activation) =>
  [SMALL, STRIDED].map((g): OpCase => {
    const { oh, ow } = outputSize(g);
    return {
      name: `conv2d with ${activation}, stride ${g.stride} padding ${g.pad}`,
      fn: (x, w, b) => ink.conv2d(x, w, { bias: b, activation, stride: g.stride, padding: g.pad }),
      // relu: inputs away from zero; with this seed no pre-activation lies
      // within the central differences' step of the kink.
      inputs: [
        { shape: [g.n, g.c, g.h, g.w], domain: activation === "relu" ? "awayFromZero" : "any" },
        { shape: [g.oc, g.c, g.k, g.k] },
        { shape: [g.oc] },
      ],
      reference: (x, w, b) => directConv(g, x, w, b).map(ACTIVATE[activation]),
      shape: [g.n, g.oc, oh, ow],
    };
  })
);

/** 2×2 max pooling at stride 2 of z [N, C, OH, OW] (the last odd row and column left out). */
function maxPool2x2(z: Float64Array, planes: number, oh: number, ow: number): Float64Array {
  const [ph, pw] = [Math.floor(oh / 2), Math.floor(ow / 2)];
  const out = new Float64Array(planes * ph * pw);
  for (let p = 0, o = 0; p < planes; p++) {
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++, o++) {
        const at = p * oh * ow + 2 * y * ow + 2 * x;
        out[o] = Math.max(z[at], z[at + 1], z[at + ow], z[at + ow + 1]);
      }
    }
  }
  return out;
}

// conv2dMaxPool, with and without its ReLU: even and odd output planes.
cases.push(...[true, false].flatMap((relu) =>
  [SMALL, STRIDED].map((g): OpCase => {
    const { oh, ow } = outputSize(g);
    return {
      name: `conv2dMaxPool${relu ? " with relu" : ""}, stride ${g.stride} padding ${g.pad}`,
      fn: (x, w, b) => ink.conv2dMaxPool(x, w, { bias: b, relu, stride: g.stride, padding: g.pad }),
      // With this seed no window holds a tie and no pooled value lies at the ReLU's kink.
      inputs: [
        { shape: [g.n, g.c, g.h, g.w], domain: "awayFromZero" },
        { shape: [g.oc, g.c, g.k, g.k] },
        { shape: [g.oc] },
      ],
      reference: (x, w, b) => {
        const pooled = maxPool2x2(directConv(g, x, w, b), g.n * g.oc, oh, ow);
        return relu ? pooled.map(ACTIVATE.relu) : pooled;
      },
      shape: [g.n, g.oc, Math.floor(oh / 2), Math.floor(ow / 2)],
    };
  })
));

for (const opCase of cases) {
  Deno.test(`op ${opCase.name}`, () => checkOp(opCase));
}

/** Relative closeness of float32 results to float64 ones. */
function assertNear(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (Math.abs(got[i] - want[i]) > 1e-5 * scale + 1e-6) {
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

Deno.test("conv2d: a batch of several chunks matches the direct convolution", () => {
  // 40 images of 2×20×20 with 3×3 kernels unfold 5,832 column entries
  // each, more than one chunk (2^17 entries) holds.
  const g: Geometry = { n: 40, c: 2, h: 20, w: 20, oc: 3, k: 3, stride: 1, pad: 0 };
  for (const backend of FLOAT32_BACKENDS) {
    const previous = useKernels(backend.kernels);
    try {
      const rng = new ink.Rng(3);
      const x = ink.rand([g.n, g.c, g.h, g.w], { rng, low: -1, high: 1, requiresGrad: true });
      const w = ink.rand([g.oc, g.c, g.k, g.k], { rng, low: -1, high: 1, requiresGrad: true });
      const b = ink.rand([g.oc], { rng, low: -1, high: 1, requiresGrad: true });
      const y = ink.conv2d(x, w, { bias: b });
      const seed = ink.rand(y.shape, { rng, low: -1, high: 1 });
      y.backward(seed);
      const plane = y.shape[2] * y.shape[3];
      const want = {
        y: Float64Array.from(y.data, (_, o) => b.data[Math.floor(o / plane) % g.oc]),
        dx: new Float64Array(x.size),
        dw: new Float64Array(w.size),
        db: new Float64Array(g.oc),
      };
      eachTap(g, (o, i, wt) => {
        want.y[o] += x.data[i] * w.data[wt];
        want.dx[i] += seed.data[o] * w.data[wt];
        want.dw[wt] += seed.data[o] * x.data[i];
      });
      seed.data.forEach((v, o) => (want.db[Math.floor(o / plane) % g.oc] += v));
      assertNear(y.data, want.y, `${backend.name} output`);
      assertNear(x.grad!.data, want.dx, `${backend.name} dx`);
      assertNear(w.grad!.data, want.dw, `${backend.name} dW`);
      assertNear(b.grad!.data, want.db, `${backend.name} db`);
    } finally {
      useKernels(previous);
    }
  }
});

Deno.test("conv2d: a fused activation equals conv2d then the activation, bit for bit", () => {
  for (const backend of FLOAT32_BACKENDS) {
    for (const activation of ["sigmoid", "tanh", "relu"] as const) {
      const previous = useKernels(backend.kernels);
      try {
        const run = (fused: boolean) => {
          const rng = new ink.Rng(5);
          const x = ink.rand([6, 3, 12, 12], { rng, low: -1, high: 1, requiresGrad: true });
          const w = ink.rand([8, 3, 5, 5], { rng, low: -1, high: 1, requiresGrad: true });
          const b = ink.rand([8], { rng, low: -1, high: 1, requiresGrad: true });
          const y = fused
            ? ink.conv2d(x, w, { bias: b, activation })
            : { sigmoid: ink.sigmoid, tanh: ink.tanh, relu: ink.relu }[activation](
              ink.conv2d(x, w, { bias: b }),
            );
          y.backward(ink.rand(y.shape, { rng, low: -1, high: 1 }));
          return [y, x.grad!, w.grad!, b.grad!].map((t) => new Uint32Array(t.data.buffer));
        };
        const [want, got] = [run(false), run(true)];
        ["output", "dx", "dW", "db"].forEach((name, i) => {
          assert.deepEqual(got[i], want[i], `${activation} on ${backend.name}: ${name} differs`);
        });
      } finally {
        useKernels(previous);
      }
    }
  }
});

Deno.test("conv2d: a bias of the wrong shape throws a ShapeError naming it", () => {
  const x = ink.zeros([1, 2, 4, 4]);
  assert.throws(
    () => ink.conv2d(x, ink.zeros([3, 2, 3, 3]), { bias: ink.zeros([2]) }),
    /bias \[2\]/,
  );
});
