/**
 * The inverse DCT of an 8 × 8 block straight to a smaller output, as
 * libjpeg's `scale_denom` does: 8 × 8 coefficients give 8 × 8, 4 × 4, 2 × 2
 * or 1 × 1 samples. Each output sample here is the exact mean of the
 * `8/n × 8/n` samples the full IDCT would give (before rounding), so a page
 * decoded at 1/4 scale is the full decode shrunk by area, not a point sample
 * of it: thin pen strokes fade in proportion instead of vanishing between
 * samples. The transform is separable, `out = R · F · Rᵀ` with `R` the
 * `n × 8` block-averaged IDCT basis. The reduced sizes use the basis's
 * symmetry (output n and n − 1 − n weigh odd frequencies with opposite signs,
 * and frequency 4, or 2, 4 and 6, average to zero), so a 4 × 4 block costs
 * 14 multiplications per row and column and a 2 × 2 block 5.
 *
 * @module
 */

/** Output samples per block side: 8 (full size), 4, 2 or 1. */
export type BlockSide = 8 | 4 | 2 | 1;

/** Where a block's samples go: `out[offset + y · stride + x]`. */
export interface BlockTarget {
  /** The plane (clamped, so stores round and saturate to 0–255). */
  out: Uint8ClampedArray;
  /** Index of the block's top-left sample. */
  offset: number;
  /** Samples per row of the plane. */
  stride: number;
}

/** Which coefficients of a block may be non-zero. */
export interface BlockShape {
  /** Bit u set: row u (vertical frequency u) may hold a value. */
  rowMask: number;
  /** The highest column (horizontal frequency) that may hold a value. */
  lastColumn: number;
}

/** A reduced inverse DCT for one output size, with its scratch space. */
export class ReducedIdct {
  /** Output samples per block side. */
  readonly side: BlockSide;
  /** `side × 8`, row-major: output sample n's weight on frequency u. */
  #basis: Float64Array;
  /** The row pass's result, `8 × side`. */
  #rows = new Float64Array(64);

  /** The transform producing `side × side` samples per block. */
  constructor(side: BlockSide) {
    this.side = side;
    const group = 8 / side;
    this.#basis = new Float64Array(side * 8);
    for (let n = 0; n < side; n++) {
      for (let u = 0; u < 8; u++) {
        // The 1-D IDCT is f(k) = Σᵤ c(u)/2 · F(u) · cos((2k + 1)uπ/16), c(0) = 1/√2.
        let sum = 0;
        for (let k = n * group; k < (n + 1) * group; k++) {
          sum += Math.cos((2 * k + 1) * u * Math.PI / 16);
        }
        this.#basis[n * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * sum / group;
      }
    }
  }

  /**
   * Transforms the dequantised coefficients `block` (natural order, zero
   * outside `shape`) and writes the samples, level-shifted by 128, to
   * `target`.
   */
  transform(block: Float32Array, { rowMask, lastColumn }: BlockShape, target: BlockTarget): void {
    const side = this.side;
    if (rowMask === 1 && lastColumn === 0) {
      // Only the DC coefficient: a flat block.
      const { out, offset, stride } = target;
      const value = block[0] * this.#basis[0] * this.#basis[0] + 128;
      for (let y = 0, at = offset; y < side; y++, at += stride) {
        for (let x = 0; x < side; x++) out[at + x] = value;
      }
      return;
    }
    if (side === 4) this.#transform4(block, rowMask, target);
    else if (side === 2) this.#transform2(block, rowMask, target);
    else this.#transformAny(block, rowMask, target);
  }

  /** 4 × 4 output: per row and column, even and odd frequencies give n and 3 − n together. */
  #transform4(block: Float32Array, rowMask: number, { out, offset, stride }: BlockTarget): void {
    const b = this.#basis;
    const [a0, a1, a2, a3, a5, a6, a7] = [b[0], b[1], b[2], b[3], b[5], b[6], b[7]];
    const [c0, c1, c2, c3, c5, c6, c7] = [b[8], b[9], b[10], b[11], b[13], b[14], b[15]];
    const t = this.#rows;
    for (let u = 0; u < 8; u++) {
      const i = u * 8;
      const r = u * 4;
      if (!(rowMask & (1 << u))) {
        t[r] =
          t[r + 1] =
          t[r + 2] =
          t[r + 3] =
            0;
        continue;
      }
      const [f0, f1, f2, f3, f5, f6, f7] = [
        block[i],
        block[i + 1],
        block[i + 2],
        block[i + 3],
        block[i + 5],
        block[i + 6],
        block[i + 7],
      ];
      const evenA = f0 * a0 + f2 * a2 + f6 * a6;
      const oddA = f1 * a1 + f3 * a3 + f5 * a5 + f7 * a7;
      const evenC = f0 * c0 + f2 * c2 + f6 * c6;
      const oddC = f1 * c1 + f3 * c3 + f5 * c5 + f7 * c7;
      t[r] = evenA + oddA;
      t[r + 1] = evenC + oddC;
      t[r + 2] = evenC - oddC;
      t[r + 3] = evenA - oddA;
    }
    for (let m = 0; m < 4; m++) {
      const evenA = t[m] * a0 + t[8 + m] * a2 + t[24 + m] * a6 + 128;
      const oddA = t[4 + m] * a1 + t[12 + m] * a3 + t[20 + m] * a5 + t[28 + m] * a7;
      const evenC = t[m] * c0 + t[8 + m] * c2 + t[24 + m] * c6 + 128;
      const oddC = t[4 + m] * c1 + t[12 + m] * c3 + t[20 + m] * c5 + t[28 + m] * c7;
      out[offset + m] = evenA + oddA;
      out[offset + stride + m] = evenC + oddC;
      out[offset + 2 * stride + m] = evenC - oddC;
      out[offset + 3 * stride + m] = evenA - oddA;
    }
  }

  /** 2 × 2 output: only frequency 0 is even, the odd ones flip sign between the halves. */
  #transform2(block: Float32Array, rowMask: number, { out, offset, stride }: BlockTarget): void {
    const b = this.#basis;
    const [c0, c1, c3, c5, c7] = [b[0], b[1], b[3], b[5], b[7]];
    const t = this.#rows;
    for (let u = 0; u < 8; u++) {
      const i = u * 8;
      if (!(rowMask & (1 << u))) {
        t[u * 2] = t[u * 2 + 1] = 0;
        continue;
      }
      const even = block[i] * c0;
      const odd = block[i + 1] * c1 + block[i + 3] * c3 + block[i + 5] * c5 + block[i + 7] * c7;
      t[u * 2] = even + odd;
      t[u * 2 + 1] = even - odd;
    }
    for (let m = 0; m < 2; m++) {
      const even = t[m] * c0 + 128;
      const odd = t[2 + m] * c1 + t[6 + m] * c3 + t[10 + m] * c5 + t[14 + m] * c7;
      out[offset + m] = even + odd;
      out[offset + stride + m] = even - odd;
    }
  }

  /** Any size, straight from the basis (used at full size, where pages are small). */
  #transformAny(block: Float32Array, rowMask: number, { out, offset, stride }: BlockTarget): void {
    const side = this.side;
    const basis = this.#basis;
    const rows = this.#rows;
    for (let u = 0; u < 8; u++) {
      for (let m = 0; m < side; m++) {
        let sum = 0;
        if (rowMask & (1 << u)) {
          for (let v = 0; v < 8; v++) sum += block[u * 8 + v] * basis[m * 8 + v];
        }
        rows[u * side + m] = sum;
      }
    }
    for (let n = 0, at = offset; n < side; n++, at += stride) {
      for (let m = 0; m < side; m++) {
        let sum = 128;
        for (let u = 0; u < 8; u++) sum += basis[n * 8 + u] * rows[u * side + m];
        out[at + m] = sum;
      }
    }
  }
}
