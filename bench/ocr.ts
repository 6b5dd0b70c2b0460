/**
 * Benchmarks of OCR on `04_deep.jpg`, a 4032 × 3024 (12.2-megapixel) phone
 * photo found in the data directory (`$INKLING_DATA_DIR`, else
 * `../shared/data`):
 *
 * - `ocr_deep_read`: `readText` in this process, model loaded, median of
 *   several runs after a warm-up run (s);
 * - `ocr_12mp_wall`: `deno run ocr/cli.ts PHOTO` in a fresh process, as a
 *   user runs it, start-up and model load included (s, median); the
 *   acceptance bar is 1 s;
 * - `ocr_12mp_peak_rss`: that process's peak resident memory (MB, the
 *   largest over the runs; needs `/usr/bin/time`); the bar is 300 MB;
 * - `tesseract_12mp_wall` and `ocr_12mp_vs_tesseract`, when `tesseract` is
 *   installed (`apt-get install tesseract-ocr`): `tesseract PHOTO - --psm 6`
 *   timed the same way, runs alternating with Inkling's so both see the same
 *   machine load, and the ratio of the medians (below 1: Inkling is faster).
 *
 * The process benchmarks need `--allow-run`; without it they are skipped
 * with the reason on stderr.
 */

import { fileURLToPath } from "node:url";
import { resolveDataDir } from "../datasets/data_dir.ts";
import { readText } from "../ocr/read_text.ts";
import type { BenchResult } from "./result.ts";

/** GNU time, for a process's peak resident memory. */
const TIME = "/usr/bin/time";
const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));

/** Times `readText` in process, then the CLI and Tesseract as fresh processes. */
export async function benchOcr(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const photo = `${await resolveDataDir()}/images/04_deep.jpg`;
  await readText(photo);
  const times: number[] = [];
  for (let i = 0; i < (options.runs ?? 5); i++) {
    const started = performance.now();
    await readText(photo);
    times.push((performance.now() - started) / 1000);
  }
  return [
    { name: "ocr_deep_read", value: round3(median(times)), unit: "s" },
    ...await benchProcesses(photo, options.runs ?? 5),
  ];
}

/** `ocr_12mp_*` and the Tesseract lines, or none (with the reason on stderr). */
async function benchProcesses(photo: string, runs: number): Promise<BenchResult[]> {
  const skipped = (reason: string) => {
    console.error(`ocr_12mp_wall skipped: ${reason}`);
    return [];
  };
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    return skipped("spawning processes is not permitted (deno run needs --allow-run)");
  }
  const withTime = await succeeds(TIME, ["--version"]);
  const ocr: string[] = [
    Deno.execPath(),
    "run",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "ocr/cli.ts",
    photo,
  ];
  const tesseract = await succeeds("tesseract", ["--version"])
    ? ["tesseract", photo, "-", "--psm", "6"]
    : undefined;
  if (tesseract === undefined) console.error("tesseract_12mp_wall skipped: tesseract not found");
  const ours: Timing[] = [];
  const theirs: Timing[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await timed(ocr, withTime));
    if (tesseract !== undefined) theirs.push(await timed(tesseract, withTime));
  }
  const wall = median(ours.map((t) => t.seconds));
  const results: BenchResult[] = [{ name: "ocr_12mp_wall", value: round3(wall), unit: "s" }];
  if (withTime) {
    const peak = Math.max(...ours.map((t) => t.peakMb ?? 0));
    results.push({ name: "ocr_12mp_peak_rss", value: Math.round(peak), unit: "MB" });
  } else console.error(`ocr_12mp_peak_rss skipped: ${TIME} not found (apt-get install time)`);
  if (tesseract !== undefined) {
    const their = median(theirs.map((t) => t.seconds));
    results.push(
      { name: "tesseract_12mp_wall", value: round3(their), unit: "s" },
      { name: "ocr_12mp_vs_tesseract", value: round3(wall / their), unit: "ratio" },
    );
  }
  return results;
}

/** One run's wall time and, under GNU time, its peak resident memory. */
interface Timing {
  seconds: number;
  peakMb?: number;
}

/** Runs `command` from the repository's root, failing loudly when it fails. */
async function timed(command: string[], withTime: boolean): Promise<Timing> {
  const report = withTime ? await Deno.makeTempFile({ prefix: "inkling_bench_time_" }) : "";
  const [program, ...args] = withTime ? [TIME, "-f", "%M", "-o", report, ...command] : command;
  try {
    const started = performance.now();
    const output = await new Deno.Command(program, {
      args,
      cwd: REPOSITORY,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const seconds = (performance.now() - started) / 1000;
    if (!output.success) {
      const error = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
      throw new Error(`${command.join(" ")} failed: ${error}`);
    }
    if (!withTime) return { seconds };
    // GNU time writes the peak resident set size in kilobytes.
    return { seconds, peakMb: Number((await Deno.readTextFile(report)).trim()) / 1024 };
  } finally {
    if (withTime) await Deno.remove(report);
  }
}

/** Whether `program args` can be run and succeeds. */
async function succeeds(program: string, args: string[]): Promise<boolean> {
  const output = await new Deno.Command(program, { args, stdout: "null", stderr: "null" })
    .output().catch(() => null);
  return output?.success ?? false;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.main) {
  for (const result of await benchOcr()) console.log(JSON.stringify(result));
}
