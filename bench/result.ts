/** The output contract of `deno task bench`: one JSON object per line. */
export interface BenchResult {
  /** Benchmark name, e.g. `matmul_256x1024x256`. */
  name: string;
  /** Measured value. */
  value: number;
  /** Unit of the value, e.g. `GFLOP/s` or `ms`. */
  unit: string;
  /**
   * The thread count the value was measured at, where the bench keeps the
   * better of several (`deno task bench backends`: Inkling's chosen backend
   * and the NumPy/PyTorch peers, each on 1 and on 2 threads).
   */
  threads?: number;
}
