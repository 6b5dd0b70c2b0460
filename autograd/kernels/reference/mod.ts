/**
 * The reference backend: every {@linkcode Kernels} function in plain
 * TypeScript, generic over Float32Array and Float64Array storage. It is the
 * yardstick other backends are tested against and the fallback where
 * WebAssembly is unavailable, so its loops favour clarity first and then
 * cache-friendly order (see `gemm.ts`). It imports only the kernel interface
 * (`../kernels.ts`), the kernels composed from others (`../sgd_update.ts`)
 * and Adam's scalars (`../adam_update.ts`).
 *
 * @module
 */

import type { Kernels } from "../kernels.ts";
import { sgdUpdateFromAxpby } from "../sgd_update.ts";
import { adamUpdate } from "./adam_update.ts";
import { axpby, binary, binaryStrided, clamp, unary } from "./elementwise.ts";
import { activationGrad, addBias, squaredDiffColumns, squaredErrorGrad } from "./fused.ts";
import { gemm } from "./gemm.ts";
import { maxAxis, softmax, sumAxis } from "./reduce.ts";
import { gather, gatherRows, scatter, scatterAddRows, swapLeadingAxes } from "./strided.ts";
import {
  avgPool2d,
  avgPool2dBackward,
  col2im,
  im2col,
  maxPool2d,
  maxPool2dBackward,
} from "./window.ts";

/** The plain-TypeScript kernel set, named `"reference"`. */
export const referenceKernels: Kernels = Object.freeze({
  name: "reference",
  unary,
  binary,
  binaryStrided,
  addBias,
  activationGrad,
  squaredErrorGrad,
  squaredDiffColumns,
  axpby,
  sgdUpdate: sgdUpdateFromAxpby(axpby),
  adamUpdate,
  clamp,
  gemm,
  sumAxis,
  maxAxis,
  softmax,
  gather,
  scatter,
  gatherRows,
  scatterAddRows,
  swapLeadingAxes,
  im2col,
  col2im,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
});
