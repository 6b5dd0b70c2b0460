/**
 * What a training run and a finished mode report: the per-epoch history,
 * the kept epoch, validation and test accuracy, test predictions and wall
 * times. Types only, so figures and reports read results without importing
 * the trainers.
 *
 * @module
 */

import type { History } from "../layers/mod.ts";

/** What a run measured. */
export interface RunOutcome {
  /** Per-epoch record (validation included). */
  history: History;
  /** The epoch kept (1-based). */
  bestEpoch: number;
  /** Validation accuracy of the kept epoch. */
  validAcc: number;
  /** Test accuracy of the kept weights. */
  testAcc: number;
  /** Predicted class of each test sample. */
  testPredicted: Int32Array;
  /** Wall time of the whole run (training, validation, test), seconds. */
  seconds: number;
  /** Training time of each epoch (validation excluded), seconds. */
  epochSeconds: number[];
}

/** A finished mode: the run's outcome, what was trained, and its timings. */
export interface ModeResult extends RunOutcome {
  /** "head", "full" or "scratch". */
  mode: string;
  /** One sentence on the network and its training, for the report. */
  description: string;
  /** Named wall times in seconds (feature extraction, training, …). */
  timings: Record<string, number>;
}
