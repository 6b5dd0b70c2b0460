/**
 * Per-parameter-group learning rates, which `layers/optim` does not have: a
 * {@linkcode GroupedOptimizer} drives one inner optimizer per group and sets
 * each one's rate to its own multiple of the shared rate before every step,
 * so a schedule (which sets `lr`) moves every group together. Fine-tuning
 * uses it to give the pretrained backbone a tenth of the new head's rate.
 *
 * @module
 */

import { InklingError, type Tensor } from "../autograd/mod.ts";
import { Optimizer } from "../layers/mod.ts";

/** One group: its parameters and the multiple of the shared rate they use. */
export interface ParamGroup {
  /** Parameters of the group. */
  params: readonly Tensor[];
  /** Their rate is `lr × lrScale` (default 1). */
  lrScale?: number;
}

/** Builds the inner optimizer of one group (its rate is overwritten before each step). */
export type OptimizerFactory = (params: readonly Tensor[]) => Optimizer;

/** An optimizer over several parameter groups with their own rates. */
export class GroupedOptimizer extends Optimizer {
  /** The inner optimizers, one per group. */
  readonly inner: readonly Optimizer[];
  /** Multiple of `lr` each group uses. */
  readonly scales: readonly number[];

  /** One optimizer from `make` per group; `options.lr` is the shared rate. */
  constructor(groups: readonly ParamGroup[], make: OptimizerFactory, options: { lr: number }) {
    super(groups.flatMap((g) => [...g.params]), options);
    const seen = new Set<Tensor>();
    for (const p of this.params) {
      if (seen.has(p)) throw new InklingError("GroupedOptimizer: a parameter is in two groups");
      seen.add(p);
    }
    this.inner = groups.map((g) => make(g.params));
    this.scales = groups.map((g) => {
      const scale = g.lrScale ?? 1;
      if (!(scale >= 0 && Number.isFinite(scale))) {
        throw new InklingError(`GroupedOptimizer: lrScale must be finite and ≥ 0, not ${scale}`);
      }
      return scale;
    });
  }

  /** Steps every group at `lr × lrScale` (a group with scale 0 stays frozen). */
  step(): void {
    this.inner.forEach((optimizer, i) => {
      if (this.scales[i] === 0) return;
      optimizer.lr = this.lr * this.scales[i];
      optimizer.step();
    });
    this.steps++;
  }

  /** The inner optimizers' state, each name prefixed by `g<group>.`. */
  override stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    this.inner.forEach((optimizer, i) => {
      for (const [name, t] of Object.entries(optimizer.stateTensors())) out[`g${i}.${name}`] = t;
    });
    return out;
  }

  /** Restores state saved by {@linkcode GroupedOptimizer.stateTensors}. */
  override loadStateTensors(state: Record<string, Tensor>): void {
    this.inner.forEach((optimizer, i) => {
      const prefix = `g${i}.`;
      const own = Object.entries(state).filter(([name]) => name.startsWith(prefix));
      optimizer.loadStateTensors(
        Object.fromEntries(own.map(([n, t]) => [n.slice(prefix.length), t])),
      );
    });
  }
}
