/**
 * The `sgdUpdate` kernel spelled as the axpby calls it stands for: the
 * reference and WebAssembly sets build theirs from their own axpby, so the
 * update rounds exactly as those calls do on each backend (the native set
 * replaces some of the calls with BLAS routines that round the same way).
 *
 * @module
 */

import type { Kernels } from "./kernels.ts";

/** The sgdUpdate kernel made of `axpby` calls (one without velocity, two with). */
export function sgdUpdateFromAxpby(axpby: Kernels["axpby"]): Kernels["sgdUpdate"] {
  return (param, args) => {
    const { grad, lr, velocity } = args;
    if (velocity === undefined) {
      axpby({ a: param, alpha: 1, b: grad, beta: -lr, out: param });
      return;
    }
    axpby({ a: velocity, alpha: args.momentum ?? 0, b: grad, beta: -lr, out: velocity });
    axpby({ a: param, alpha: 1, b: velocity, beta: 1, out: param });
  };
}
