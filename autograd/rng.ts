/**
 * A seeded, deterministic random number generator (xoshiro128**, seeded by
 * SplitMix32). Every random choice in Inkling — initialisation, shuffling,
 * dropout masks, augmentation — goes through an {@linkcode Rng}, so a run is
 * reproducible from its seed and the generator state can be checkpointed.
 *
 * @module
 */

/** Seeded pseudo-random generator with uniform, normal and permutation draws. */
export class Rng {
  #s = new Uint32Array(4);
  #spareNormal: number | null = null;

  /** Creates a generator from an integer seed (any 32-bit value). */
  constructor(seed = 0) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      // SplitMix32 spreads a small seed over the 128-bit state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box–Muller; the second value of each pair is kept). */
  normal(mean = 0, std = 1): number {
    if (this.#spareNormal !== null) {
      const z = this.#spareNormal;
      this.#spareNormal = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Fills `out` with `value` where a draw falls below `keep`, else 0 (dropout masks). */
  fillBernoulli(out: Float32Array | Float64Array, options: { keep: number; value: number }): void {
    for (let i = 0; i < out.length; i++) {
      out[i] = this.nextUint32() < options.keep * 4294967296 ? options.value : 0;
    }
  }

  /** Fills `out` with uniform draws in [low, high). */
  fillUniform(out: Float32Array | Float64Array, options: { low?: number; high?: number } = {}) {
    const low = options.low ?? 0;
    const high = options.high ?? 1;
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
  }

  /** Fills `out` with normal draws. */
  fillNormal(out: Float32Array | Float64Array, options: { mean?: number; std?: number } = {}) {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(options.mean, options.std);
  }

  /** The generator state, for checkpoints. */
  getState(): number[] {
    return [...this.#s, this.#spareNormal ?? NaN];
  }

  /** Restores a state returned by {@linkcode Rng.getState}. */
  setState(state: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.#s[i] = state[i] >>> 0;
    // JSON turns the NaN of "no spare" into null: both mean none.
    this.#spareNormal = typeof state[4] === "number" && !Number.isNaN(state[4]) ? state[4] : null;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
