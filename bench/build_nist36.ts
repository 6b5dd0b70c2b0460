/**
 * Benchmark: the default-size NIST36 build from UNIPEN (10,800 / 3,600 /
 * 1,800 glyphs: parse, writer split, render, compressed MAT-files, manifest)
 * into a temporary folder, in seconds. The acceptance bar is under 60 s.
 * UNIPEN is found in the data directory (`$INKLING_DATA_DIR`, else
 * `../shared/data`).
 */

import { buildNist36 } from "../datasets/builders/mod.ts";
import type { BenchResult } from "./result.ts";

/** Times one default-size NIST36 build. */
export async function benchBuildNist36(): Promise<BenchResult[]> {
  const outDir = await Deno.makeTempDir({ prefix: "inkling_bench_nist36_" });
  try {
    const started = performance.now();
    await buildNist36({ outDir });
    const seconds = (performance.now() - started) / 1000;
    return [{ name: "nist36_build", value: Math.round(seconds * 100) / 100, unit: "s" }];
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

if (import.meta.main) {
  for (const result of await benchBuildNist36()) console.log(JSON.stringify(result));
}
