/** The output contract of `deno task bench`: one JSON object per line. */
export interface BenchResult {
  /** Benchmark name, e.g. `matmul_256x1024x256`. */
  name: string;
  /** Measured value. */
  value: number;
  /** Unit of the value, e.g. `GFLOP/s` or `ms`. */
  unit: string;
}
