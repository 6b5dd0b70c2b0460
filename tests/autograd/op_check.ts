/**
 * The one test helper every op goes through: builds float64 inputs of the
 * given shapes, runs the op forward (optionally against a reference written
 * with plain loops) and checks its backward with central differences.
 */

import assert from "node:assert/strict";
import { gradcheck, Rng, Tensor } from "../../mod.ts";

/** How to fill an input: values away from kinks and poles so differences are smooth. */
export type Domain = "any" | "positive" | "awayFromZero" | "distinct";

/** One input of an op case. */
export interface InputSpec {
  /** Shape of the input. */
  shape: number[];
  /** Value domain (default "any": uniform in [−1, 1]). */
  domain?: Domain;
  /** Perturbed and checked (default true). */
  grad?: boolean;
}

/** An op under test. */
export interface OpCase {
  /** Test name. */
  name: string;
  /** The op applied to the inputs. */
  fn: (...inputs: Tensor[]) => Tensor;
  /** Inputs to build, or existing tensors (e.g. a float64 layer's parameters). */
  inputs: (InputSpec | Tensor)[];
  /** Plain-loop reference of the forward result (flat, row-major) from the flat inputs. */
  reference?: (...inputs: Float64Array[]) => ArrayLike<number>;
  /** Expected output shape. */
  shape?: number[];
}

function fill(spec: InputSpec, rng: Rng): Tensor {
  const size = spec.shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const u = rng.uniform(-1, 1);
    switch (spec.domain ?? "any") {
      case "any":
        data[i] = u;
        break;
      case "positive":
        data[i] = 0.2 + Math.abs(u);
        break;
      case "awayFromZero":
        data[i] = Math.sign(u || 1) * (0.1 + Math.abs(u));
        break;
      case "distinct": // a shuffled ramp: no ties for max/maxPool
        data[i] = ((i * 7919) % size + 0.5) / size - 0.5;
        break;
    }
  }
  return new Tensor(data, spec.shape, { requiresGrad: spec.grad ?? true });
}

/** Runs forward (vs reference) and gradcheck for one case; asserts rel. error ≤ 1e-6. */
export function checkOp(opCase: OpCase, seed = 1): void {
  const rng = new Rng(seed);
  const inputs = opCase.inputs.map((spec) => spec instanceof Tensor ? spec : fill(spec, rng));
  const out = opCase.fn(...inputs);
  if (opCase.shape) assert.deepEqual([...out.shape], opCase.shape, `${opCase.name}: output shape`);
  if (opCase.reference) {
    const expected = opCase.reference(...inputs.map((t) => t.data as Float64Array));
    assert.equal(out.size, expected.length, `${opCase.name}: output size`);
    for (let i = 0; i < out.size; i++) {
      const e = expected[i];
      assert.ok(
        Math.abs(out.data[i] - e) <= 1e-12 + 1e-10 * Math.abs(e),
        `${opCase.name}: forward[${i}] = ${out.data[i]}, reference ${e}`,
      );
    }
  }
  const report = gradcheck(opCase.fn, inputs, { atol: 1e-9, rtol: 1e-6 });
  assert.ok(
    report.ok && report.maxRelError <= 1e-6,
    `${opCase.name}: gradcheck failed ${
      JSON.stringify(report.worst)
    } (max rel ${report.maxRelError})`,
  );
}
