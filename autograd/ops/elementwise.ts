/**
 * Element-wise ops with NumPy broadcasting: arithmetic, powers, exp/log and
 * the activation functions, each with its backward rule. A plain number is
 * accepted wherever a second operand is, as a constant of the tensor's dtype.
 *
 * @module
 */

import { kernels } from "../kernels/backend.ts";
import type { ActivationOp, BinaryOp, UnaryOp } from "../kernels/kernels.ts";
import { broadcastShapes, broadcastView, sameShape, type Shape } from "../shape.ts";
import { record } from "../tape.ts";
import { allocate, checkSameDType, Tensor } from "../tensor.ts";
import { sumTo } from "./sum_axes.ts";

/** A tensor or a plain number (a constant broadcast like a scalar tensor). */
export type Operand = Tensor | number;

function asTensor(x: Operand, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  const data = allocate(like.dtype, 1);
  data[0] = x;
  return new Tensor(data, []);
}

/** Runs a binary kernel with broadcasting; no recording. */
function binaryForward(op: BinaryOp, a: Tensor, b: Tensor, name: string): Tensor {
  const dtype = checkSameDType(name, a, b);
  if (sameShape(a.shape, b.shape)) {
    const out = allocate(dtype, a.size);
    kernels().binary(op, { a: a.data, b: b.data, out });
    return new Tensor(out, a.shape);
  }
  const shape: Shape = broadcastShapes(a.shape, b.shape, name);
  const out = new Tensor(allocate(dtype, shape.reduce((p, d) => p * d, 1)), shape);
  kernels().binaryStrided(op, {
    a: a.data,
    av: broadcastView(a.shape, shape),
    b: b.data,
    bv: broadcastView(b.shape, shape),
    out: out.data,
  });
  return out;
}

function unaryForward(op: UnaryOp, x: Tensor): Tensor {
  const out = allocate(x.dtype, x.size, { written: true });
  kernels().unary(op, x.data, out);
  return new Tensor(out, x.shape);
}

/**
 * An activation's backward, g·f′(x) from its output y = f(x), in one pass
 * (`Kernels.activationGrad`): the bits of the ops it stands for (g·step(x),
 * g·(y·(1 − y)), g·(1 − y·y)) with one array instead of two or three.
 */
function activationBackward(op: ActivationOp, y: Tensor, g: Tensor): Tensor {
  const out = allocate(y.dtype, y.size, { written: true });
  kernels().activationGrad(op, { y: y.data, grad: g.data, out });
  return new Tensor(out, y.shape);
}

/** Element-wise sum a + b. */
export function add(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record(
    "add",
    [a, bt],
    binaryForward("add", a, bt, "add"),
    (g) => [sumTo(g, a.shape), sumTo(g, bt.shape)],
  );
}

/** Element-wise difference a − b. */
export function sub(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record(
    "sub",
    [a, bt],
    binaryForward("sub", a, bt, "sub"),
    (g) => [sumTo(g, a.shape), bt.requiresGrad ? neg(sumTo(g, bt.shape)) : null],
  );
}

/** Element-wise product a · b. */
export function mul(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record("mul", [a, bt], binaryForward("mul", a, bt, "mul"), (g) => [
    a.requiresGrad ? sumTo(mul(g, bt), a.shape) : null,
    bt.requiresGrad ? sumTo(mul(g, a), bt.shape) : null,
  ]);
}

/** Element-wise quotient a / b. */
export function div(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record("div", [a, bt], binaryForward("div", a, bt, "div"), (g) => [
    a.requiresGrad ? sumTo(div(g, bt), a.shape) : null,
    bt.requiresGrad ? sumTo(neg(div(mul(g, a), mul(bt, bt))), bt.shape) : null,
  ]);
}

/** Element-wise power a^b (for a tensor exponent, a must be positive where it matters). */
export function pow(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  const out = binaryForward("pow", a, bt, "pow");
  return record("pow", [a, bt], out, (g) => [
    a.requiresGrad ? sumTo(mul(g, mul(bt, pow(a, sub(bt, 1)))), a.shape) : null,
    bt.requiresGrad ? sumTo(mul(g, mul(out, log(a))), bt.shape) : null,
  ]);
}

/** Element-wise maximum; where a = b the gradient goes to a. */
export function maximum(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record("maximum", [a, bt], binaryForward("max", a, bt, "maximum"), (g) => {
    const bWins = greater(bt, a);
    return [sumTo(mul(g, rsub(1, bWins)), a.shape), sumTo(mul(g, bWins), bt.shape)];
  });
}

/** Element-wise minimum; where a = b the gradient goes to a. */
export function minimum(a: Tensor, b: Operand): Tensor {
  const bt = asTensor(b, a);
  return record("minimum", [a, bt], binaryForward("min", a, bt, "minimum"), (g) => {
    const bWins = greater(a, bt);
    return [sumTo(mul(g, rsub(1, bWins)), a.shape), sumTo(mul(g, bWins), bt.shape)];
  });
}

/** Reverse subtraction c − t (reads naturally in backward rules: `rsub(1, y)`). */
export function rsub(c: number, t: Tensor): Tensor {
  return add(neg(t), c);
}

/** 1 where a > b, else 0 (broadcasting; a comparison, so no gradient flows). */
export function greater(a: Tensor, b: Operand): Tensor {
  return binaryForward("gt", a, asTensor(b, a), "greater");
}

/** −x. */
export function neg(x: Tensor): Tensor {
  return record("neg", [x], unaryForward("neg", x), (g) => [neg(g)]);
}

/** eˣ. */
export function exp(x: Tensor): Tensor {
  const y = unaryForward("exp", x);
  return record("exp", [x], y, (g) => [mul(g, y)]);
}

/** Natural logarithm. */
export function log(x: Tensor): Tensor {
  return record("log", [x], unaryForward("log", x), (g) => [div(g, x)]);
}

/** Square root. */
export function sqrt(x: Tensor): Tensor {
  const y = unaryForward("sqrt", x);
  return record("sqrt", [x], y, (g) => [div(g, mul(y, 2))]);
}

/** |x| (gradient sign(x), 0 at 0). */
export function abs(x: Tensor): Tensor {
  return record("abs", [x], unaryForward("abs", x), (g) => [mul(g, unaryForward("sign", x))]);
}

/** Logistic sigmoid 1/(1+e⁻ˣ), computed without overflow. */
export function sigmoid(x: Tensor): Tensor {
  const y = unaryForward("sigmoid", x);
  return record("sigmoid", [x], y, (g) => [activationBackward("sigmoid", y, g)]);
}

/** Hyperbolic tangent. */
export function tanh(x: Tensor): Tensor {
  const y = unaryForward("tanh", x);
  return record("tanh", [x], y, (g) => [activationBackward("tanh", y, g)]);
}

/** max(x, 0); gradient 0 at 0. */
export function relu(x: Tensor): Tensor {
  const y = unaryForward("relu", x);
  return record("relu", [x], y, (g) => [activationBackward("relu", y, g)]);
}

/** Limits x to [min, max]; the gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, options: { min?: number; max?: number }): Tensor {
  const lo = options.min ?? -Infinity;
  const hi = options.max ?? Infinity;
  const out = allocate(x.dtype, x.size);
  kernels().clamp(x.data, { lo, hi, out });
  return record("clamp", [x], new Tensor(out, x.shape), (g) => {
    const above = greater(x, hi);
    const below = greater(asTensor(lo, x), x);
    return [mul(g, rsub(1, add(above, below)))];
  });
}
