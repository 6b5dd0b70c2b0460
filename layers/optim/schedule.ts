/**
 * Learning-rate schedules: functions from the epoch (0-based) to the rate.
 *
 * @module
 */

/** Maps an epoch index to a learning rate. */
export type Schedule = (epoch: number) => number;

/** The same rate every epoch. */
export function constantLR(lr: number): Schedule {
  return () => lr;
}

/** Multiplies the rate by `gamma` every `every` epochs. */
export function stepLR(lr: number, options: { every: number; gamma?: number }): Schedule {
  const gamma = options.gamma ?? 0.1;
  return (epoch) => lr * gamma ** Math.floor(epoch / options.every);
}

/** Cosine annealing from `lr` down to `min` over `epochs` epochs. */
export function cosineLR(lr: number, options: { epochs: number; min?: number }): Schedule {
  const min = options.min ?? 0;
  return (epoch) =>
    min + (lr - min) * 0.5 * (1 + Math.cos(Math.PI * Math.min(epoch / options.epochs, 1)));
}
