/**
 * {@linkcode Module}: the base of every layer and model. Parameters are the
 * module's own tensor fields that require gradients, children are its own
 * module fields (or arrays of modules), found by reflection in field order,
 * as micrograd and PyTorch users expect — no registration calls.
 *
 * @module
 */

import { noGrad, sameShape, ShapeError, showShape, Tensor } from "../autograd/mod.ts";

/** A layer or model: a function of tensors with named parameters. */
export abstract class Module {
  /** Training mode (dropout active) or evaluation mode. */
  training = true;

  /** Computes the output for an input batch. */
  abstract forward(x: Tensor): Tensor;

  /** Direct child modules with their field names (arrays give `name.index`). */
  children(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [name, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([name, value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => v instanceof Module && out.push([`${name}.${i}`, v]));
      }
    }
    return out;
  }

  /** Every tensor of the state: trainable parameters and buffers, by dotted name. */
  namedTensors(): [string, Tensor][] {
    const own = Object.entries(this).filter(([, v]) => v instanceof Tensor) as [string, Tensor][];
    const nested = this.children().flatMap(([prefix, child]) =>
      child.namedTensors().map(([name, t]) => [`${prefix}.${name}`, t] as [string, Tensor])
    );
    return [...own, ...nested];
  }

  /** Trainable parameters (tensors with requiresGrad) by dotted name. */
  namedParameters(): [string, Tensor][] {
    return this.namedTensors().filter(([, t]) => t.requiresGrad);
  }

  /** Trainable parameters, in a stable order (that of {@linkcode namedParameters}). */
  parameters(): Tensor[] {
    const out: Tensor[] = [];
    this.#eachTensor((t) => t.requiresGrad && out.push(t));
    return out;
  }

  /**
   * Calls `visit` on every state tensor in {@linkcode namedTensors}' order,
   * without making the names: a training loop asks for the parameters every
   * step (`zeroGrad`), and the dotted names were most of that walk's cost.
   */
  #eachTensor(visit: (t: Tensor) => void): void {
    const children: Module[] = [];
    for (const value of Object.values(this)) {
      if (value instanceof Tensor) visit(value);
      else if (value instanceof Module) children.push(value);
      else if (Array.isArray(value)) {
        for (const v of value) if (v instanceof Module) children.push(v);
      }
    }
    for (const child of children) child.#eachTensor(visit);
  }

  /** Number of trainable scalars. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode here and in every child. */
  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.children()) child.train(mode);
    return this;
  }

  /** Sets evaluation mode (same as train(false)). */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears every parameter gradient; with `reuse`, the next backward
   * writes into their storage (see `Tensor.zeroGrad`).
   */
  zeroGrad(options: { reuse?: boolean } = {}): void {
    this.#eachTensor((t) => t.requiresGrad && t.zeroGrad(options));
  }

  /** The state tensors by name (shared, not copied). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.namedTensors());
  }

  /**
   * Copies values into the state tensors. Every name must exist with the same
   * shape; with `strict` (default) no name may be missing or extra.
   */
  loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const strict = options.strict ?? true;
    if (strict) {
      const missing = Object.keys(own).filter((k) => !(k in state));
      const extra = Object.keys(state).filter((k) => !(k in own));
      if (missing.length || extra.length) {
        throw new ShapeError(
          `loadStateDict: missing [${missing.join(", ")}], unexpected [${extra.join(", ")}]`,
        );
      }
    }
    noGrad(() => {
      for (const [name, source] of Object.entries(state)) {
        const target = own[name];
        if (!target) continue;
        if (!sameShape(target.shape, source.shape)) {
          throw new ShapeError(
            `loadStateDict: "${name}" has shape ${showShape(target.shape)}, the state ${
              showShape(source.shape)
            }`,
          );
        }
        target.data.set(source.data);
      }
    });
  }

  /** Calls forward (so a module reads like a function: `model.call(x)`). */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }
}
