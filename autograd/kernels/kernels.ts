/**
 * The kernel interface: the only place where loops over elements live.
 *
 * Ops (in `autograd/ops/`) describe *what* to compute on tensors and how to
 * differentiate it; a {@linkcode Kernels} implementation decides *how* to run
 * it on flat, contiguous, row-major typed arrays. Kernels know nothing about
 * tapes, gradients or tensors, so a backend can be swapped (plain TypeScript
 * reference, WebAssembly SIMD) without touching an op.
 *
 * Conventions for every kernel:
 * - arrays are row-major and contiguous; `out` never aliases an input unless
 *   the kernel says so;
 * - all arrays of one call have the same element type ({@linkcode Storage});
 * - sizes are trusted: ops validate shapes before calling a kernel.
 *
 * @module
 */

/** Flat element storage of a tensor. */
export type Storage = Float32Array | Float64Array;

/**
 * Whether `x` is float32 storage: the kernels' fast paths (WebAssembly,
 * BLAS, the thread pool) take only that, and hand the rest to a fallback.
 */
export function isFloat32(x: Storage | undefined): x is Float32Array {
  return x instanceof Float32Array;
}

/** Element-wise functions of one argument. */
export type UnaryOp =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "abs"
  | "sign"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "step"; // 1 where x > 0 else 0: the derivative of relu

/** Element-wise functions of two arguments. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "max"
  | "min"
  | "gt"; // 1 where a > b else 0

/**
 * Activations with a fused backward ({@linkcode Kernels.activationGrad}): each
 * derivative is a function of the activation's output alone, so the backward
 * needs no copy of the pre-activation.
 */
export type ActivationOp = "sigmoid" | "tanh" | "relu";

/** Arguments of {@linkcode Kernels.gemm}. */
export interface GemmArgs {
  /** Left matrix: m×k, or k×m when `transA`. */
  a: Storage;
  /** Right matrix: k×n, or n×k when `transB`. */
  b: Storage;
  /** Result m×n. */
  c: Storage;
  /** Rows of the result. */
  m: number;
  /** Columns of the result. */
  n: number;
  /** Inner dimension. */
  k: number;
  /** Read `a` as its transpose (stored k×m). */
  transA?: boolean;
  /** Read `b` as its transpose (stored n×k). */
  transB?: boolean;
  /** Add the product into `c` instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * A strided view of a flat array: element `(i0, i1, …)` lives at
 * `offset + Σ i_d·strides[d]`. Strides may be 0 (broadcast) but never negative.
 */
export interface StridedView {
  /** Extent of each dimension. */
  shape: readonly number[];
  /** Step in elements along each dimension. */
  strides: readonly number[];
  /** Index of element (0, 0, …). */
  offset: number;
}

/**
 * An axis of a contiguous array seen as `outer × size × inner`: reductions and
 * softmax run along the middle dimension, for every (outer, inner) pair.
 */
export interface AxisLayout {
  /** Product of the dimensions before the axis. */
  outer: number;
  /** Length of the axis. */
  size: number;
  /** Product of the dimensions after the axis. */
  inner: number;
}

/** A convolution for the optional {@linkcode Kernels.convForward} and {@linkcode Kernels.convBackward}. */
export interface ConvChunks extends Window2d {
  /** Output channels. */
  oc: number;
  /** Images per chunk: the op's unit of work, fixed by the shapes. */
  chunk: number;
}

/**
 * A 2×2 max pooling at stride 2 fused after a convolution (`pool` of
 * {@linkcode Kernels.convForward} and {@linkcode Kernels.convBackward}): the
 * pooled extents ⌊OH/2⌋ and ⌊OW/2⌋, and each pooled cell's position y·OW + x
 * in its output plane (written forward, read backward).
 */
export interface ConvPool {
  oh: number;
  ow: number;
  index: Int32Array;
}

/** Geometry of a 2-D convolution or pooling window over one N×C×H×W batch. */
export interface Window2d {
  /** Batch size. */
  n: number;
  /** Channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Window height. */
  kh: number;
  /** Window width. */
  kw: number;
  /** Step between windows (same along both axes). */
  stride: number;
  /** Zero padding on each side (same along both axes). */
  pad: number;
  /** Output height: floor((h + 2·pad − kh) / stride) + 1. */
  oh: number;
  /** Output width: floor((w + 2·pad − kw) / stride) + 1. */
  ow: number;
}

/** Arguments of {@linkcode Kernels.adamUpdate}: the state arrays and Adam's numbers. */
export interface AdamUpdateArgs {
  /** The gradient (read only). */
  grad: Storage;
  /** First moment, updated in place. */
  m: Storage;
  /** Second moment, updated in place. */
  v: Storage;
  /** Learning rate. */
  lr: number;
  /** Decay rate β₁ of the first moment. */
  beta1: number;
  /** Decay rate β₂ of the second moment. */
  beta2: number;
  /** Added to the corrected √v. */
  eps: number;
  /** L2 penalty λ added to the gradient as λ·p; 0 leaves the gradient untouched. */
  weightDecay: number;
  /** The step number t, counted from 1, of the bias corrections 1 − βᵗ. */
  step: number;
}

/** A set of compute kernels; one object per backend. */
export interface Kernels {
  /** Backend name, e.g. `"reference"` or `"wasm"`. */
  readonly name: string;

  /**
   * Zeroed float32 storage of `size` elements that this set's kernels use in place (the shared
   * WebAssembly memory), for storage used again and again (`reusableStorage`); null if none.
   */
  residentStorage?(size: number): Float32Array | null;
  /** Frees storage from residentStorage that nothing uses any more (a no-op for other arrays). */
  releaseResident?(storage: Float32Array): void;

  /** out[i] = f(x[i]). `out` may alias `x`. */
  unary(op: UnaryOp, x: Storage, out: Storage): void;

  /**
   * out[i] = f(a[i], b[i]) on equal-length contiguous arrays. `out` may alias
   * `a` or `b`.
   */
  binary(op: BinaryOp, args: { a: Storage; b: Storage; out: Storage }): void;

  /**
   * Broadcasting form: out (contiguous, shape `shape`) = f(a, b) where a and
   * b are strided views with that same shape (stride 0 on broadcast axes).
   */
  binaryStrided(
    op: BinaryOp,
    args: { a: Storage; av: StridedView; b: Storage; bv: StridedView; out: Storage },
  ): void;

  /**
   * out[r, j] = x[r, j] + bias[j] for rows of length `bias.length` (a
   * linear layer's bias), then, with `activation`, out = f(out) in place.
   * `out` may alias `x`. Rounds exactly as {@linkcode Kernels.binaryStrided}
   * "add" with `bias` broadcast followed by this set's
   * {@linkcode Kernels.unary}: the same bits, one pass fewer.
   */
  addBias(x: Storage, args: { bias: Storage; out: Storage; activation?: ActivationOp }): void;

  /**
   * out[i] = grad[i]·f′ where f′ is the derivative of activation `op` written
   * in its output y: sigmoid y·(1 − y), tanh 1 − y², relu [y > 0]. Each
   * product and difference is rounded to the storage type, so the result is
   * bit for bit what the element-wise ops of the unfused backward give.
   * `out` may alias `grad`.
   */
  activationGrad(op: ActivationOp, args: { y: Storage; grad: Storage; out: Storage }): void;

  /**
   * out[i] = 2·(seed·diff[i]), the product rounded to the storage type: the
   * gradient of Σ diff² scaled by `seed`, as the unfused backward of
   * sum(mul(d, d)) computes it (mul(g, d) twice, then their sum, which
   * doubles exactly). `out` may alias `diff`.
   */
  squaredErrorGrad(diff: Storage, args: { seed: number; out: Storage }): void;

  /**
   * diff = a − b, and out[j] = Σ_r diff[r, j]² over the rows of width
   * `out.length`: the squared error's forward in one pass. Each difference
   * and square is rounded to the storage type and the column sums run in
   * doubles, row by row, then are rounded: bit for bit `binary` "sub", "mul"
   * of the difference with itself, and `sumAxis` with outer 1, inner
   * `out.length`, on the same backend. The width must exceed 1 (a single
   * column is a plain sum, which backends may reorder). `diff` may alias `a`
   * or `b`.
   */
  squaredDiffColumns(a: Storage, b: Storage, args: { diff: Storage; out: Storage }): void;

  /** out[i] = a[i]·alpha + b[i]·beta (axpby; the optimizer's workhorse). `out` may alias. */
  axpby(args: { a: Storage; alpha: number; b: Storage; beta: number; out: Storage }): void;

  /**
   * One SGD update of a parameter, in place. Without `velocity`:
   * param ← param − lr·grad. With it (momentum μ, default 0):
   * velocity ← μ·velocity − lr·grad, then param ← param + velocity.
   * Each step rounds exactly as the {@linkcode Kernels.axpby} call it stands
   * for on the same backend (`{ a: param, alpha: 1, b: grad, beta: −lr }`,
   * `{ a: velocity, alpha: μ, b: grad, beta: −lr }`, `{ a: param, alpha: 1,
   * b: velocity, beta: 1 }`), so optimizers get the same bits with fewer
   * passes where a backend can fuse them.
   */
  sgdUpdate(
    param: Storage,
    args: { grad: Storage; lr: number; velocity?: Storage; momentum?: number },
  ): void;

  /**
   * One Adam update of a parameter (step `t` = `args.step`, from 1), in place
   * on `param`, `m` and `v`, per element:
   *
   *   g′ = g + p·λ (only when λ = `weightDecay` is not 0, else g itself)
   *   m ← β₁·m + (1 − β₁)·g′,   v ← β₂·v + (1 − β₂)·(g′·g′)
   *   p ← p − lr/(1 − β₁ᵗ) · m / (√(v / (1 − β₂ᵗ)) + ε)
   *
   * Each step rounds exactly as the op it stands for on the same backend
   * (see `adam_update.ts`): `add`, `mul`, `div`, `sqrt` round to the storage
   * type with scalars stored in it, and the three moves are the
   * {@linkcode Kernels.axpby} calls `{ a: m, alpha: β₁, b: g′, beta: 1 − β₁ }`,
   * `{ a: v, alpha: β₂, b: g′·g′, beta: 1 − β₂ }` and `{ a: param, alpha: 1,
   * b: m/denominator, beta: −lr/(1 − β₁ᵗ) }`. So Adam gets the bits of its
   * element-wise ops in one pass, without their temporaries.
   */
  adamUpdate(param: Storage, args: AdamUpdateArgs): void;

  /** out[i] = min(max(x[i], lo), hi). */
  clamp(x: Storage, args: { lo: number; hi: number; out: Storage }): void;

  /** Matrix product, see {@linkcode GemmArgs}. */
  gemm(args: GemmArgs): void;

  /** out (size outer·inner) = sum of x along the middle axis. */
  sumAxis(x: Storage, args: AxisLayout & { out: Storage }): void;

  /**
   * out = max of x along the middle axis; `index` receives the position (0..size−1)
   * of the first maximum, for the backward pass.
   */
  maxAxis(x: Storage, args: AxisLayout & { out: Storage; index: Int32Array }): void;

  /** Softmax along the middle axis (max-subtracted). With `log`, log-softmax. */
  softmax(x: Storage, args: AxisLayout & { out: Storage; log?: boolean }): void;

  /** Copies a strided view of `src` into contiguous `out` (permute, slice, expand). */
  gather(src: Storage, args: { view: StridedView; out: Storage }): void;

  /**
   * Writes contiguous `src` into the strided view of `out` (concat, slice
   * backward). With `accumulate` it adds instead of overwriting.
   */
  scatter(src: Storage, args: { view: StridedView; out: Storage; accumulate?: boolean }): void;

  /**
   * Optional, for a backend that runs a convolution's chunks side by side:
   * the whole forward, out (N×OC×OH×OW) = f(conv(x, weight) + bias), with
   * weight [OC, C·kh·kw] and f the activation when one is given (as
   * `unary`'s). Returns false, having written nothing, when it does not
   * take the call; `conv2d` then runs its own chunk loop (im2col, gemm,
   * swapLeadingAxes, unary). With `pool`, `out` is the pooled output
   * [N, OC, pool.oh, pool.ow] of conv(x, weight) + bias, then the activation
   * (only ReLU, which commutes with the max); the conv's own is not written.
   */
  convForward?(
    x: Storage,
    args: {
      weight: Storage;
      bias?: Storage;
      activation?: ActivationOp;
      geo: ConvChunks;
      out: Storage;
      pool?: ConvPool;
    },
  ): boolean;

  /**
   * Optional, as {@linkcode Kernels.convForward}: the backward from the
   * gradient of the output, writing the input gradient `gx` and the weight
   * gradient `gw` (each only when given; both overwritten). With an
   * `activation`, `gz` is the gradient of its output `y` (the forward's
   * `out`) and is taken through it first, as `activationGrad`'s (gz is
   * never written). `planeSums`, when given, receives that gradient's sum
   * over each output plane, [N, OC], as `sumAxis` with inner 1 gives it: the
   * bias gradient of each image. With `pool`, gz and `y` are the pooled
   * output's gradient and the pooled output: gz is taken through the
   * activation (ReLU) on the pooled cells, then added at each cell's
   * position into the conv output's gradient (zeroed first), as
   * `maxPool2dBackward` does. False when not taken.
   */
  convBackward?(
    gz: Storage,
    args: {
      x: Storage;
      weight: Storage;
      geo: ConvChunks;
      gx?: Storage;
      gw?: Storage;
      activation?: ActivationOp;
      y?: Storage;
      planeSums?: Storage;
      pool?: ConvPool;
    },
  ): boolean;

  /**
   * Swaps the two leading axes of x [a, b, inner] into out [b, a, inner],
   * adding `bias[i]` to every element of x's row i when a bias of length
   * `a` is given (rounded as "add" is): the convolution's move from its gemm
   * layout [C, N, H·W] to N×C×H·W and back.
   */
  swapLeadingAxes(
    x: Storage,
    args: { a: number; b: number; inner: number; bias?: Storage; out: Storage },
  ): void;

  /** out[r, :] = x[rows[r], :] for rows of length `rowSize`. */
  gatherRows(x: Storage, args: { rows: Int32Array; rowSize: number; out: Storage }): void;

  /** out[rows[r], :] += src[r, :] (the backward of gatherRows). */
  scatterAddRows(src: Storage, args: { rows: Int32Array; rowSize: number; out: Storage }): void;

  /**
   * Unfolds an N×C×H×W batch into columns: `cols` is (C·kh·kw) × (N·oh·ow),
   * row index (c, i, j), column index (n, y, x); padding reads as 0.
   */
  im2col(x: Storage, args: Window2d & { cols: Storage }): void;

  /** The adjoint of im2col: adds every column entry back into `out` (N×C×H×W). */
  col2im(cols: Storage, args: Window2d & { out: Storage }): void;

  /**
   * Max pooling over N×C×H×W (padding never wins); `index` receives the flat
   * input position (within one H×W plane) of each maximum.
   */
  maxPool2d(x: Storage, args: Window2d & { out: Storage; index: Int32Array }): void;

  /** Backward of maxPool2d: adds each output gradient at its recorded `index` in `out`. */
  maxPool2dBackward(grad: Storage, args: Window2d & { index: Int32Array; out: Storage }): void;

  /** Average pooling over N×C×H×W; padded cells count as zeros in the average. */
  avgPool2d(x: Storage, args: Window2d & { out: Storage }): void;

  /** Backward of avgPool2d: adds each output gradient, divided by kh·kw, to its window. */
  avgPool2dBackward(grad: Storage, args: Window2d & { out: Storage }): void;
}
