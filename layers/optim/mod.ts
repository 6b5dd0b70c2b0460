/**
 * Optimizers (SGD with the assignment's momentum rule, Adam) and learning-rate
 * schedules. They import only the engine.
 *
 * @module
 */

export * from "./optimizer.ts";
export * from "./sgd.ts";
export * from "./adam.ts";
export * from "./schedule.ts";
