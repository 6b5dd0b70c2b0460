/**
 * The tape: every op run on tensors that require gradients appends a
 * {@linkcode TapeNode} holding its inputs and its backward rule. Nodes are
 * numbered in the order they ran, so `Tensor.backward()` (in `tensor.ts`) can
 * replay the part of the tape reachable from the output in reverse order,
 * then release it.
 *
 * The tape only records: it is generic over the values it holds, so it needs
 * nothing from `tensor.ts`, and `tensor.ts` imports it, not the other way round.
 *
 * @module
 */

/** What a backward rule is told about the pass running it. */
export interface BackwardPass {
  /**
   * True when the graph is released after this call (no `retainGraph`): the
   * rule will not run again, so a buffer only its closure holds is free once
   * the rule has read it, and may carry the gradient it returns.
   */
  readonly final: boolean;
}

/** Backward rule of one op: output gradient in, one gradient (or null) per input out. */
export type BackwardRule<T> = (grad: T, pass: BackwardPass) => readonly (T | null)[];

/** One recorded op over values of type `T` (tensors: `TapeNode<Tensor>`). */
export interface TapeNode<T> {
  /** Position on the tape (later ops have larger ids). */
  readonly id: number;
  /** Op name, for error messages. */
  readonly op: string;
  /** The op's inputs (emptied once backward has used the node). */
  inputs: readonly T[];
  /** How to turn the output gradient into input gradients (null once released). */
  backward: BackwardRule<T> | null;
  /** The output if it asked to keep its gradient (retainGrad). */
  retained: T | null;
}

/** What the tape needs of a value: whether it wants a gradient, and the node that made it. */
export interface Recordable<T> {
  /** Whether backward computes a gradient for it. */
  requiresGrad: boolean;
  /** The tape entry that produced it, if any. */
  node: TapeNode<T> | null;
}

let nextId = 0;
let gradDepth = 0;

/** Whether ops are currently recorded (false inside {@linkcode noGrad}). */
export function isGradEnabled(): boolean {
  return gradDepth === 0;
}

/**
 * Runs `fn` without recording anything on the tape (evaluation, optimizer
 * updates, backward rules themselves). Nests; returns what `fn` returns.
 */
export function noGrad<T>(fn: () => T): T {
  gradDepth++;
  try {
    return fn();
  } finally {
    gradDepth--;
  }
}

/**
 * Records `output = op(inputs)` on the tape when gradients are enabled and an
 * input requires one; returns `output` for chaining.
 */
export function record<T extends Recordable<T>>(
  op: string,
  inputs: readonly T[],
  output: T,
  backward: BackwardRule<T>,
): T {
  if (gradDepth === 0 && inputs.some((t) => t.requiresGrad)) {
    output.requiresGrad = true;
    output.node = { id: nextId++, op, inputs, backward, retained: null };
  }
  return output;
}
