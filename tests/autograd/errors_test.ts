/** Misuse gives clear errors that name the op and the shapes. */

import assert from "node:assert/strict";
import {
  add,
  conv2d,
  crossEntropy,
  DTypeError,
  gradcheck,
  InklingError,
  matmul,
  reshape,
  ShapeError,
  tensor,
  zeros,
} from "../../mod.ts";

function throwsWith(fn: () => unknown, type: typeof InklingError, pattern: RegExp) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    assert.match((e as Error).message, pattern);
    return true;
  });
}

Deno.test("shape mismatches name the op and both shapes", () => {
  throwsWith(
    () => matmul(zeros([2, 3]), zeros([4, 5])),
    ShapeError,
    /matmul: shapes \[2, 3\] and \[4, 5\]/,
  );
  throwsWith(() => add(zeros([2, 3]), zeros([4])), ShapeError, /add: shapes \[2, 3\] and \[4\]/);
  throwsWith(
    () => reshape(zeros([2, 3]), [4, 2]),
    ShapeError,
    /reshape: cannot view \[2, 3\] as \[4, 2\]/,
  );
  throwsWith(() => conv2d(zeros([1, 3, 5, 5]), zeros([2, 2, 3, 3])), ShapeError, /conv2d: weight/);
  throwsWith(() => crossEntropy(zeros([4, 3]), [0, 1]), ShapeError, /crossEntropy/);
  throwsWith(() => crossEntropy(zeros([2, 3]), [0, 3]), ShapeError, /label 3/);
  for (const labelSmoothing of [-0.1, 1, NaN]) {
    throwsWith(
      () => crossEntropy(zeros([2, 3]), [0, 1], { labelSmoothing }),
      InklingError,
      /crossEntropy: labelSmoothing must be in \[0, 1\)/,
    );
  }
});

Deno.test("dtype mismatches name the op and dtypes", () => {
  throwsWith(
    () => add(zeros([2]), zeros([2], { dtype: "float64" })),
    DTypeError,
    /add: dtypes differ \(float32 \[2\], float64 \[2\]\)/,
  );
});

Deno.test("gradcheck refuses NaN and float32 inputs", () => {
  const nan = tensor([1, NaN], { dtype: "float64", requiresGrad: true });
  throwsWith(() => gradcheck((x) => x, [nan]), InklingError, /input 0 \[2\] holds NaN at index 1/);
  throwsWith(() => gradcheck((x) => x, [tensor([1])]), DTypeError, /use float64/);
});
