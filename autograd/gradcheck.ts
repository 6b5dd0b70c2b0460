/**
 * Numerical gradient checking: compares the tape's gradients with central
 * differences for every scalar of every input, in float64. The default
 * five-point stencil (−f(x+2ε) + 8f(x+ε) − 8f(x−ε) + f(x−2ε)) / 12ε has error
 * O(ε⁴), so with ε = 1e-3 both truncation and rounding stay near 1e-12 and a
 * relative tolerance of 1e-6 is meaningful even for small gradients; `points:
 * 3` gives the textbook (f(x+ε) − f(x−ε)) / 2ε. Non-scalar outputs are
 * projected on a fixed random direction, so one backward pass checks a full
 * vector–Jacobian product.
 *
 * @module
 */

import { DTypeError, InklingError } from "./errors.ts";
import { Rng } from "./rng.ts";
import { showShape } from "./shape.ts";
import { noGrad } from "./tape.ts";
import { Tensor } from "./tensor.ts";

/** Tolerances of {@linkcode gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3 for 5 points, 1e-6 for 3). */
  eps?: number;
  /** Stencil: 5-point (default, O(ε⁴)) or 3-point (O(ε²)) central differences. */
  points?: 3 | 5;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Relative tolerance (default 1e-6). */
  rtol?: number;
  /** Seed of the projection direction for non-scalar outputs (default 0). */
  seed?: number;
}

/** The worst mismatch found. */
export interface GradcheckMismatch {
  /** Which input (position in `inputs`). */
  input: number;
  /** Flat index of the scalar within that input. */
  index: number;
  /** Gradient from backward(). */
  analytic: number;
  /** Gradient from central differences. */
  numeric: number;
  /** |analytic − numeric|. */
  absError: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|) (0 when both are 0). */
  relError: number;
}

/** Outcome of {@linkcode gradcheck}. */
export interface GradcheckReport {
  /** True when every scalar is within atol + rtol·|numeric|. */
  ok: boolean;
  /** Largest absolute error over all scalars. */
  maxAbsError: number;
  /** Largest relative error over scalars whose gradient is above atol. */
  maxRelError: number;
  /** The scalar with the largest error beyond tolerance (or the largest error if ok). */
  worst: GradcheckMismatch | null;
  /** How many scalars were checked. */
  checked: number;
}

/**
 * Checks the gradients of `fn` at `inputs` (float64 tensors; those with
 * `requiresGrad` are perturbed). Returns a report; throws for NaN inputs or
 * float32 inputs, where differences are meaningless.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const points = options.points ?? 5;
  const eps = options.eps ?? (points === 5 ? 1e-3 : 1e-6);
  const atol = options.atol ?? 1e-8;
  const rtol = options.rtol ?? 1e-6;
  inputs.forEach((t, i) => {
    if (t.dtype !== "float64") {
      throw new DTypeError(
        `gradcheck: input ${i} ${showShape(t.shape)} is ${t.dtype}; use float64`,
      );
    }
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new InklingError(
        `gradcheck: input ${i} ${showShape(t.shape)} holds ${t.data[bad]} at index ${bad}`,
      );
    }
  });
  for (const t of inputs) t.grad = null;
  const out = fn(...inputs);
  const direction = new Tensor(new Float64Array(out.size), out.shape);
  new Rng(options.seed ?? 0).fillUniform(direction.data, { low: 0.5, high: 1.5 });
  const project = (y: Tensor) => {
    let total = 0;
    for (let i = 0; i < y.size; i++) total += y.data[i] * direction.data[i];
    return total;
  };
  out.backward(direction);

  const report: GradcheckReport = {
    ok: true,
    maxAbsError: 0,
    maxRelError: 0,
    worst: null,
    checked: 0,
  };
  let worstScore = -1;
  noGrad(() => {
    inputs.forEach((t, input) => {
      if (!t.requiresGrad) return;
      for (let index = 0; index < t.size; index++) {
        const saved = t.data[index];
        const at = (step: number) => {
          t.data[index] = saved + step;
          return project(fn(...inputs));
        };
        const numeric = points === 5
          ? (8 * (at(eps) - at(-eps)) - (at(2 * eps) - at(-2 * eps))) / (12 * eps)
          : (at(eps) - at(-eps)) / (2 * eps);
        t.data[index] = saved;
        const analytic = t.grad ? t.grad.data[index] : 0;
        const absError = Math.abs(analytic - numeric);
        const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
        const relError = scale === 0 ? 0 : absError / scale;
        const allowed = atol + rtol * Math.abs(numeric);
        report.checked++;
        report.maxAbsError = Math.max(report.maxAbsError, absError);
        if (scale > atol) report.maxRelError = Math.max(report.maxRelError, relError);
        if (absError > allowed) report.ok = false;
        const score = absError / allowed;
        if (score > worstScore) {
          worstScore = score;
          report.worst = { input, index, analytic, numeric, absError, relError };
        }
      }
    });
  });
  return report;
}
