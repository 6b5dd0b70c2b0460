/**
 * The jobs the native backend runs on the engine's thread pool, as the
 * numbers every thread reads: a job's numbers sit in small Float64Arrays on
 * SharedArrayBuffers, one per kind — {@linkcode PANEL_WORDS} describes a
 * product and its panels, {@linkcode LANE_WORDS} a convolution,
 * {@linkcode UPDATE_WORDS} an SGD update, {@linkcode UNARY_WORDS} a unary
 * op, {@linkcode POOL_WORDS} a max pooling. Addresses are plain numbers (user space is below 2^53); the caller
 * keeps every array they point into alive until the job is done. Also the
 * room in the pool's shared memory that lanes and parts work in
 * ({@linkcode sharedRegion}).
 *
 * @module
 */

import type { KernelExports } from "../wasm/instance.ts";
import { scratchStart } from "../wasm/resident.ts";
import { align16, poolModules } from "../wasm/scratch.ts";
import { MAX_PIECES } from "./panels.ts";

/**
 * Words of a panel job: the product's layout and operand addresses (with
 * the partial products' for depth panels, or −1), then per panel whether
 * it writes a partial, its number of calls, and each call's offsets, m, n,
 * k and whether it adds into what the first wrote (panels.ts `PanelCall`),
 * room for {@linkcode MAX_PIECES} calls.
 */
export const PANEL_WORDS = Object.freeze({
  transA: 0,
  transB: 1,
  beta: 2,
  lda: 3,
  ldb: 4,
  ldc: 5,
  a: 6,
  b: 7,
  c: 8,
  partials: 9,
  panels: 10,
  perCall: 7,
  perPanel: 2 + 7 * MAX_PIECES,
});

/**
 * Words of a convolution job: the geometry, images per chunk, then byte
 * offsets in the shared memory (−1 for none) and the weight's address in
 * the caller's memory, then the stride and the padding.
 */
export const LANE_WORDS = Object.freeze({
  n: 0,
  c: 1,
  h: 2,
  w: 3,
  kh: 4,
  kw: 5,
  oh: 6,
  ow: 7,
  oc: 8,
  chunk: 9,
  /** The shared memory's address. */
  base: 10,
  /** The weight [OC, C·kh·kw], in the caller's memory. */
  weight: 11,
  /** The input batch (forward and backward). */
  x: 12,
  /** The output (forward). */
  y: 13,
  /** The bias (forward), or −1. */
  bias: 14,
  /** The output gradient (backward). */
  gz: 15,
  /** The input gradient, zeroed (backward), or −1. */
  gx: 16,
  /** Each lane's weight-gradient partial, OC·C·kh·kw floats apart (backward), or −1. */
  gw: 17,
  /** Lane 0's temporaries; lane l's start `laneBytes` × l further. */
  lanes: 18,
  laneBytes: 19,
  stride: 20,
  pad: 21,
  /** The caller's input batch, which each lane copies its chunks of into `x`. */
  callerX: 22,
  /** The caller's output (forward), which each lane copies its chunks of `y` into. */
  callerY: 23,
  /** The caller's output gradient (backward), copied into `gz` chunk by chunk. */
  callerGz: 24,
  /** The caller's input gradient (backward), copied from `gx` chunk by chunk, or −1. */
  callerGx: 25,
  /**
   * The activation's op code, or −1: the WebAssembly `unary`'s (forward) or
   * `activation_grad`'s (backward).
   */
  activation: 26,
  /** The caller's forward output (backward, with an activation), copied in chunk by chunk, or −1. */
  callerOut: 27,
  /** The output gradient's plane sums [N, OC] (backward), or −1. */
  planeSums: 28,
  /** A fused 2×2 max pooling's extents (−1 for none): `y`, callerY and callerGz are then pooled. */
  poolOh: 29,
  poolOw: 30,
  /** The pooled cells' positions in their planes: written forward, read backward. */
  callerIndex: 31,
  count: 32,
});

/**
 * Words of an SGD update job: the rate, the momentum, the addresses of the
 * parameter, its gradient and its velocity (−1 for plain SGD), then where
 * each of the {@linkcode PARTS} parts starts (in elements) and where
 * the last one ends.
 */
export const UPDATE_WORDS = Object.freeze({
  lr: 0,
  momentum: 1,
  param: 2,
  grad: 3,
  velocity: 4,
  starts: 5,
});

/** Parts a large update or unary call is cut into: fixed, as panels are. */
export const PARTS = 2;

/**
 * Part edges are multiples of this many elements (whole cache lines, whole
 * AVX-512 blocks) unless a part must hold whole rows.
 */
export const PART_ALIGN = 64;

/**
 * Where each of the {@linkcode PARTS} parts of `length` elements starts,
 * then the end: whole `unit`s shared out as evenly as they go, the last part
 * taking the rest (so it is the longest). Depends on the length alone.
 */
export function partStarts(length: number, unit = PART_ALIGN): number[] {
  const units = Math.floor(length / unit);
  return Array.from(
    { length: PARTS + 1 },
    (_, p) => p === PARTS ? length : Math.floor((units * p) / PARTS) * unit,
  );
}

/**
 * Words of a unary job: the op code of the WebAssembly `unary`, the
 * addresses of the input, the output and the bias added first (−1 for
 * none), the bias's length, the shared memory's address, where the parts'
 * regions start in it and how far apart they are (bytes), then where each
 * of the {@linkcode PARTS} parts starts (in elements) and where the
 * last one ends.
 */
export const UNARY_WORDS = Object.freeze({
  code: 0,
  x: 1,
  out: 2,
  bias: 3,
  width: 4,
  base: 5,
  region: 6,
  partBytes: 7,
  starts: 8,
});

/**
 * Words of a max pooling job (forward or backward; no padding): the
 * addresses of the input (forward) or the output gradient (backward), of
 * the output (forward) or the input gradient (backward), and of the
 * positions; the window geometry; where the parts' regions start in the
 * pool's shared memory and how far apart they are (bytes; forward only);
 * then the plane where each of the {@linkcode PARTS} parts starts,
 * and the plane count.
 */
export const POOL_WORDS = Object.freeze({
  from: 0,
  to: 1,
  index: 2,
  h: 3,
  w: 4,
  kh: 5,
  kw: 6,
  stride: 7,
  oh: 8,
  ow: 9,
  region: 10,
  partBytes: 11,
  starts: 12,
});

/**
 * Bytes of one operand's slot in a part's region: `length` floats, rounded
 * to 16 bytes, and 64 more, as the WebAssembly loops run whole blocks of
 * vectors.
 */
export function slotBytes(length: number): number {
  return align16(length * 4) + 64;
}

/** Largest shared memory a call may use (the memory's own maximum is 1 GiB). */
const MAX_BYTES = 1 << 29;

/** The shared memory whose address is known, and that address. */
let known: { memory: WebAssembly.Memory; address: number } | null = null;

/**
 * The address of a shared memory's first byte, found once: a shared memory
 * reserves its maximum up front and never moves when it grows.
 */
function memoryAddress(memory: WebAssembly.Memory): number {
  if (known?.memory !== memory) {
    const view = new Uint8Array(memory.buffer);
    known = { memory, address: Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(view))) };
  }
  return known.address;
}

/**
 * `bytes` of the pool's shared memory past the kernels' scratch base —
 * room no other call uses while this one runs — growing the memory if
 * needed: the memory, where the room starts, and the memory's address (for
 * BLAS). Null without the pool's modules or when the memory cannot grow.
 */
export function sharedRegion(
  bytes: number,
): { memory: WebAssembly.Memory; start: number; base: number } | null {
  const modules = poolModules();
  if (modules === null || bytes > MAX_BYTES) return null;
  const exports = modules.instances[0] as KernelExports;
  // Above every resident array: they may be this call's operands.
  const start = align16(scratchStart(exports.SCRATCH_BASE.value as number));
  const memory = modules.memory;
  const missing = start + bytes - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / 65536));
    } catch {
      return null;
    }
  }
  return { memory, start, base: memoryAddress(memory) };
}
