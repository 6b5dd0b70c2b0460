/**
 * How the native gemm cuts a large product into independent panels of C,
 * each one a single-threaded `cblas_sgemm` of its own.
 *
 * The cut depends on the product's shape only — never on the thread count —
 * so 1 thread (running the panels one after another) and N threads (running
 * them side by side) execute the very same BLAS calls and give the same bits.
 * That is the whole point: OpenBLAS's own threading changes the bits with
 * the thread count, so the library always runs on one thread and the
 * parallelism comes from here.
 *
 * A row-major C (m×n) splits into row panels (C rows `[r0, r1)` need the
 * matching rows of op(A) and all of op(B)) or, when C is wider than tall,
 * column panels (columns `[c0, c1)` need all of op(A) and those columns of
 * op(B)). Leading dimensions stay those of the whole matrices; a panel is
 * only a start offset into each array. Panel edges are multiples of
 * {@linkcode PANEL_ALIGN}, so every panel but the last is made of whole
 * micro-tiles of OpenBLAS's kernels.
 *
 * @module
 */

/**
 * Products below this many multiply-adds (m·n·k) run as one BLAS call. Waking
 * a sleeping worker costs ~40 µs here (2-core VM), which made 2 threads pay
 * only from about 2^22 up; but workers now spin for a moment between jobs
 * (threads/pool.ts), and a training step's products come back to back. Measured
 * with the workers spinning (µs, one thread → two): 36×1024×32 29 → 15,
 * 36×32×1024 40 → 17, 32×1024×64 52 → 34, 64×800×128 138 → 83. A product
 * that finds the worker asleep loses little: the caller takes the second
 * panel itself when it gets there first.
 */
export const SPLIT_MIN_WORK = 1 << 20;

/** Panels a large product is cut into: fixed, so the bits never depend on the thread count. */
export const PANELS = 2;

/**
 * Panel edges are multiples of this many rows or columns: 16 floats is the
 * widest micro-tile dimension of OpenBLAS's x86 sgemm kernels (AVX-512).
 */
export const PANEL_ALIGN = 16;

/** The shape and layout of a row-major product C (m×n) = op(A)·op(B) (+ C). */
export interface GemmShape {
  /** Rows of C. */
  m: number;
  /** Columns of C. */
  n: number;
  /** Inner dimension. */
  k: number;
  /** A is stored k×m. */
  transA: boolean;
  /** B is stored n×k. */
  transB: boolean;
}

/**
 * One panel: a `cblas_sgemm` of `m`×`n` with the whole product's `k`,
 * transposes and leading dimensions, its operands starting `aOffset`,
 * `bOffset` and `cOffset` elements into A, B and C.
 */
export interface Panel {
  /** First element of op(A)'s rows for this panel, in A. */
  aOffset: number;
  /** First element of op(B)'s columns for this panel, in B. */
  bOffset: number;
  /** First element of the panel, in C. */
  cOffset: number;
  /** Rows of the panel. */
  m: number;
  /** Columns of the panel. */
  n: number;
}

/** Leading dimensions of the whole product (row-major), which every panel keeps. */
export function leadingDims(shape: GemmShape): { lda: number; ldb: number; ldc: number } {
  const { m, n, k, transA, transB } = shape;
  return { lda: transA ? m : k, ldb: transB ? k : n, ldc: n };
}

/**
 * The panels of a product: one (the whole product) below
 * {@linkcode SPLIT_MIN_WORK} or when the split dimension has too few
 * aligned blocks, else {@linkcode PANELS} along C's longer side.
 */
export function planPanels(shape: GemmShape): Panel[] {
  const { m, n, k, transA, transB } = shape;
  const whole: Panel = { aOffset: 0, bOffset: 0, cOffset: 0, m, n };
  if (m * n * k < SPLIT_MIN_WORK) return [whole];
  const byRows = m >= n;
  const size = byRows ? m : n;
  const blocks = Math.floor(size / PANEL_ALIGN);
  if (blocks < PANELS) return [whole];
  const panels: Panel[] = [];
  for (let p = 0; p < PANELS; p++) {
    // Whole aligned blocks, shared out as evenly as they go; the last panel takes the rest.
    const start = Math.floor((blocks * p) / PANELS) * PANEL_ALIGN;
    const end = p === PANELS - 1 ? size : Math.floor((blocks * (p + 1)) / PANELS) * PANEL_ALIGN;
    if (byRows) {
      // Row r of op(A) starts at r·k in A (m×k), or at column r of A (k×m) when transposed.
      panels.push({
        aOffset: transA ? start : start * k,
        bOffset: 0,
        cOffset: start * n,
        m: end - start,
        n,
      });
    } else {
      // Column c of op(B) starts at column c of B (k×n), or at row c of B (n×k) when transposed.
      panels.push({
        aOffset: 0,
        bOffset: transB ? start * k : start,
        cOffset: start,
        m,
        n: end - start,
      });
    }
  }
  return panels;
}
