/**
 * The instantiated kernel module and its scratch memory.
 *
 * Tensors live in ordinary JS typed arrays, which WebAssembly cannot address,
 * so every accelerated call copies its operands into the module's memory,
 * runs there and copies the result back. {@linkcode WasmScratch} hands out
 * that space: one region starting at the module's `SCRATCH_BASE`, grown on
 * demand and reused by every call (calls never overlap: JS is single-threaded
 * and kernels do not call each other through this object).
 *
 * @module
 */

/** The functions and globals the kernel module exports (see the `.wat` files). */
export interface KernelExports {
  /** The module's memory. */
  readonly memory: WebAssembly.Memory;
  /** First byte the TypeScript side may use. */
  readonly SCRATCH_BASE: WebAssembly.Global;
  /** Rows of A that gemm packs per block. */
  readonly GEMM_MC: WebAssembly.Global;
  /** Inner indices that gemm packs per block. */
  readonly GEMM_KC: WebAssembly.Global;
  /** See gemm.wat. */
  gemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    flags: number,
    work: number,
  ): void;
  /** out[i] = f_op(x[i]) for i < n (rounded up to a multiple of 4); see elementwise.wat. */
  unary(op: number, x: number, out: number, n: number): void;
  /** out[i] = f_op(a[i], b[i]); see elementwise.wat. */
  binary(op: number, a: number, b: number, out: number, n: number): void;
  /** out[i] = a[i]·alpha + b[i]·beta; see elementwise.wat. */
  axpby(a: number, alpha: number, b: number, beta: number, out: number, n: number): void;
  /** Sum along the middle axis; `acc` is (inner + 3)·8 bytes of scratch; see reduce.wat. */
  sum_axis(x: number, out: number, outer: number, size: number, inner: number, acc: number): void;
  /** Softmax (log-softmax when `log` is 1) of contiguous rows; see reduce.wat. */
  softmax_rows(x: number, out: number, rows: number, size: number, log: number): void;
  /** cols = im2col(x) for the geometry in the trailing arguments; see conv.wat. */
  im2col(x: number, cols: number, ...geometry: number[]): void;
  /** out += col2im(cols); see conv.wat. */
  col2im(cols: number, out: number, ...geometry: number[]): void;
}

/** Largest scratch the kernels ask for; beyond it calls go to the fallback. */
const MAX_SCRATCH_BYTES = 1 << 30;

const PAGE_BYTES = 65536;

/** Rounds a byte count up to a multiple of 16, so every operand starts vector-aligned. */
export function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** Scratch space in the kernel module's memory; see the module doc. */
export class WasmScratch {
  /** The module's exports. */
  readonly exports: KernelExports;
  /** Byte address of the first scratch byte. */
  readonly base: number;
  /** A view of the whole memory; replaced whenever the memory grows. */
  f32: Float32Array;
  /** When set, size thresholds are off: every float32 call runs in WebAssembly. */
  readonly ignoreThresholds: boolean;

  /** Wraps an instantiated kernel module. */
  constructor(exports: KernelExports, options: { ignoreThresholds: boolean }) {
    this.exports = exports;
    this.ignoreThresholds = options.ignoreThresholds;
    this.base = align16(exports.SCRATCH_BASE.value as number);
    this.f32 = new Float32Array(exports.memory.buffer);
  }

  /**
   * Whether a call of `size` (elements, or m·n·k for gemm) is below the
   * measured threshold `minimum`, so the fallback is faster.
   */
  small(size: number, minimum: number): boolean {
    return size < (this.ignoreThresholds ? 1 : minimum);
  }

  /**
   * Makes sure `bytes` bytes from {@linkcode base} exist, growing the memory
   * if needed. Returns false (the caller then uses its fallback) when the
   * request is beyond {@linkcode MAX_SCRATCH_BYTES} or the engine refuses to
   * grow.
   */
  reserve(bytes: number): boolean {
    const end = this.base + bytes;
    const buffer = this.exports.memory.buffer;
    if (end <= buffer.byteLength) return true;
    if (bytes > MAX_SCRATCH_BYTES) return false;
    try {
      this.exports.memory.grow(Math.ceil((end - buffer.byteLength) / PAGE_BYTES));
    } catch {
      return false;
    }
    this.f32 = new Float32Array(this.exports.memory.buffer);
    return true;
  }
}
