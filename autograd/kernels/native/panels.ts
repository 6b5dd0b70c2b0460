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
 * op(B)). A small C with a long inner dimension — a layer's forward product
 * at batch 32, 32×1024 times 1024×64 — splits along k instead (depth
 * panels, {@linkcode DEPTH_RATIO}): panel 0 multiplies the first columns of
 * op(A) by the first rows of op(B) into C, each later panel the next ones
 * into a partial product of its own, and the partials are added to C in
 * panel order afterwards (gemm.ts), a fixed order. Each thread then reads
 * only its half of the weight, where row or column panels would have both
 * threads read all of it, or half of every row; together with the caller
 * always running panel 0 (threads/protocol.ts) and the SGD update's parts
 * (sgd_update.ts) following the same rows, a weight's half stays in one
 * core's cache from the forward product through its update.
 *
 * Leading dimensions stay those of the whole matrices; a panel is
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
 * A product splits along k when k is at least this many times C's longer
 * side. Measured on the MLP's 32×64×1024 forward product (µs, one thread →
 * two): column panels 53 → 40, and the update after it 9 → 30, as the
 * other core then held half of every row of the weight.
 */
export const DEPTH_RATIO = 8;

/**
 * Panel edges are multiples of this many rows or columns: 16 floats is the
 * widest micro-tile dimension of OpenBLAS's x86 sgemm kernels (AVX-512).
 */
export const PANEL_ALIGN = 16;

/**
 * Most multiply-adds (m·n·k) in one `cblas_sgemm` call of a panel: a panel
 * above it runs as up to {@linkcode MAX_PIECES} calls ("pieces") along its
 * own dimension. OpenBLAS 0.3.21 (the SkylakeX/Cooperlake kernels Debian's
 * build picks on this AVX-512 CPU) multiplies products of at most 100³
 * multiply-adds with its small-matrix kernels, without packing the
 * operands, and at these sizes packing is most of the work. One thread, µs:
 * the MLP's forward product 32×64×1024 as two depth panels (each 2^20) 49–53,
 * as two panels of two pieces 38–39; its weight gradient 1024×64×32 (Aᵀ) 52–53 → 40;
 * 16×64×1024 whole 27, in two pieces 19. Larger products gain little or
 * lose by being cut (64×128×1024 in 4 depth calls 183 → 184, in 16 → 167;
 * 128×256×1024 in 4 calls 683 → 795), so only panels needing at most
 * {@linkcode MAX_PIECES} are cut.
 */
export const SMALL_CALL = 1_000_000;

/**
 * Most pieces a panel is cut into (see {@linkcode SMALL_CALL}): two, as
 * measured; a panel of more is left whole.
 */
export const MAX_PIECES = 2;

/** The dimension a panel is cut along (its pieces too): 0 k (depth), 1 rows, 2 columns. */
type Along = 0 | 1 | 2;

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
 * A block of a product: a `cblas_sgemm` of `m`×`n`×`k` with the whole
 * product's transposes and leading dimensions, its operands starting
 * `aOffset`, `bOffset` and `cOffset` elements into A, B and its target.
 */
export interface Block {
  /** First element of its op(A) rows or columns, in A. */
  aOffset: number;
  /** First element of its op(B) rows or columns, in B. */
  bOffset: number;
  /** First element of its block, in its target: C, or for a `partial` depth panel the partials. */
  cOffset: number;
  /** Rows. */
  m: number;
  /** Columns. */
  n: number;
  /** Inner dimension. */
  k: number;
}

/** One panel: a block of C (or of a partial product, then with β = 0), run as its calls. */
export interface Panel extends Block {
  /** Whether it writes a partial product, added to C afterwards, instead of C. */
  partial: boolean;
  /**
   * Its `cblas_sgemm` calls: the whole panel, or its pieces — its extent
   * cut into equal parts along the panel's own dimension where that keeps
   * each call small ({@linkcode SMALL_CALL}).
   */
  calls: PanelCall[];
}

/** One `cblas_sgemm` call of a panel. */
export interface PanelCall extends Block {
  /** Whether it adds into what the panel's first call wrote (β = 1): depth pieces after the first. */
  add: boolean;
}

/**
 * The call of `shape` over [start, end) along `along`, its offsets in the
 * whole product's operands: op(A)'s columns and op(B)'s rows for depth,
 * C's rows (and op(A)'s) for rows, C's columns (and op(B)'s) for columns.
 */
function range(shape: GemmShape, along: Along, start: number, end: number): PanelCall {
  const { m, n, k, transA, transB } = shape;
  const add = false;
  if (along === 0) {
    // Inner index i is column i of op(A) and row i of op(B).
    const [aOffset, bOffset] = [transA ? start * m : start, transB ? start : start * n];
    return { aOffset, bOffset, cOffset: 0, m, n, k: end - start, add };
  }
  if (along === 1) {
    // Row r of op(A) starts at r·k in A (m×k), or at column r of A (k×m) when transposed.
    return {
      aOffset: transA ? start : start * k,
      bOffset: 0,
      cOffset: start * n,
      m: end - start,
      n,
      k,
      add,
    };
  }
  // Column c of op(B) starts at column c of B (k×n), or at row c of B (n×k) when transposed.
  return {
    aOffset: 0,
    bOffset: transB ? start * k : start,
    cOffset: start,
    m,
    n: end - start,
    k,
    add,
  };
}

/**
 * The calls of the panel over [start, end) along `along`: one, or as many
 * equal pieces as keep each at most {@linkcode SMALL_CALL} when that takes
 * at most {@linkcode MAX_PIECES}. `target` is the panel's first element in
 * its target (a depth panel's partial product starts at 0 of its own).
 */
function panelCalls(
  shape: GemmShape,
  along: Along,
  extent: { start: number; end: number; target: number },
): PanelCall[] {
  const { start, end, target } = extent;
  const whole = range(shape, along, start, end);
  const wanted = Math.ceil((whole.m * whole.n * whole.k) / SMALL_CALL);
  const pieces = wanted <= MAX_PIECES ? Math.min(wanted, end - start) : 1;
  return Array.from({ length: pieces }, (_, i) => {
    const call = range(
      shape,
      along,
      start + Math.floor(((end - start) * i) / pieces),
      start + Math.floor(((end - start) * (i + 1)) / pieces),
    );
    // Depth calls all write the panel's block; row and column calls their own part of it.
    const cOffset = target + (along === 0 ? 0 : call.cOffset - whole.cOffset);
    return { ...call, cOffset, add: along === 0 && i > 0 };
  });
}

/** Leading dimensions of the whole product (row-major), which every panel keeps. */
export function leadingDims(shape: GemmShape): { lda: number; ldb: number; ldc: number } {
  const { m, n, k, transA, transB } = shape;
  return { lda: transA ? m : k, ldb: transB ? k : n, ldc: n };
}

/**
 * The panels of a product: one (the whole product) below
 * {@linkcode SPLIT_MIN_WORK} or when the split dimension has too few
 * aligned blocks, else {@linkcode PANELS} along k for a small C (see
 * {@linkcode DEPTH_RATIO}), otherwise along C's longer side; each in
 * pieces along the same dimension where that keeps its calls small
 * ({@linkcode SMALL_CALL}).
 */
export function planPanels(shape: GemmShape): Panel[] {
  const { m, n, k } = shape;
  const deep = k >= DEPTH_RATIO * Math.max(m, n);
  const along: Along = deep ? 0 : m >= n ? 1 : 2;
  const size = deep ? k : m >= n ? m : n;
  const panel = (start: number, end: number, index: number): Panel => {
    // Later depth panels fill partial product index − 1.
    const partial = deep && index > 0;
    // A depth block starts at 0 of its target; a row or column block where its rows or columns do.
    const { add: _, ...block } = range(shape, along, start, end);
    const target = partial ? (index - 1) * m * n : block.cOffset;
    const calls = panelCalls(shape, along, { start, end, target });
    return { ...block, cOffset: target, partial, calls };
  };
  const blocks = Math.floor(size / PANEL_ALIGN);
  if (m * n * k < SPLIT_MIN_WORK || blocks < PANELS) return [panel(0, size, 0)];
  return Array.from({ length: PANELS }, (_, p) => {
    // Whole aligned blocks, shared out as evenly as they go; the last panel takes the rest.
    const start = Math.floor((blocks * p) / PANELS) * PANEL_ALIGN;
    const end = p === PANELS - 1 ? size : Math.floor((blocks * (p + 1)) / PANELS) * PANEL_ALIGN;
    return panel(start, end, p);
  });
}
