/**
 * `deno task finetune`: Flowers 17 three ways — a new classifier on
 * SqueezeNet's frozen onnxruntime features (head), the engine's own SqueezeNet
 * fine-tuned end to end (full), and a small CNN from scratch (scratch) — and
 * the report comparing them. Flags only; the work is in run_finetune.ts and
 * report.ts.
 *
 * @module
 */

import { excerpt } from "../autograd/errors.ts";
import { resolveDataDir } from "../datasets/data_dir.ts";
import { checkWritableDir } from "../formats/files.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import { writeFinetuneReport } from "./report.ts";
import { runFinetune } from "./train_modes.ts";
import {
  FINETUNE_DEFAULTS,
  FINETUNE_MODES,
  type FineTuneMode,
  type FineTuneSettings,
} from "./settings.ts";

const D = FINETUNE_DEFAULTS;
const USAGE = `usage: deno task finetune [options]
  --mode head|full|scratch|all
                       which training to run (default all, in that order; full starts from the
                       head's classifier when both run)
  --out DIR            output directory (default runs/finetune)
  --data-dir DIR       data root holding flowers17/ and squeezenet/ (or INKLING_DATA_DIR)
  --epochs N | MODE=N,…
                       epochs of every mode, or per mode, e.g. head=30,full=3
                       (defaults head=${D.head.epochs}, full=${D.full.epochs}, scratch=${D.scratch.epochs})
  --scratch-size PX    input side of the CNN from scratch, a multiple of 8 from 32 to 224 (${D.scratch.size})
  --seed N             seed of every random choice (${D.seed})
  --per-class N        only the first N images of each class in each part: a quick run
  --threads N          onnxruntime threads (default 1, like the engine: steady on a shared machine)
  --quiet              no progress lines`;

/** Parses --mode. */
function modesFlag(value: string | undefined): FineTuneMode[] {
  if (value === undefined || value === "all") return [...FINETUNE_MODES];
  if ((FINETUNE_MODES as readonly string[]).includes(value)) return [value as FineTuneMode];
  throw new UsageError(`--mode must be head, full, scratch or all, not ${excerpt(value)}`);
}

/** Parses --epochs: one count for every mode, or MODE=N pairs. */
export function epochsFlag(value: string | undefined): Partial<Record<FineTuneMode, number>> {
  if (value === undefined) return {};
  const count = (text: string) =>
    numberFlag(text, "epochs", { fallback: 1, integer: true, min: 1, max: 1000 });
  if (!value.includes("=")) {
    const n = count(value);
    return { head: n, full: n, scratch: n };
  }
  const out: Partial<Record<FineTuneMode, number>> = {};
  for (const pair of value.split(",")) {
    const [mode, n] = pair.split("=");
    if (!(FINETUNE_MODES as readonly string[]).includes(mode) || n === undefined) {
      throw new UsageError(
        `--epochs takes N or MODE=N pairs (head, full, scratch), not ${excerpt(value)}`,
      );
    }
    out[mode as FineTuneMode] = count(n);
  }
  return out;
}

/** Runs the CLI (writing to `output`, the console by default); returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = {
    mode: { type: "string" },
    out: { type: "string" },
    "data-dir": { type: "string" },
    epochs: { type: "string" },
    "scratch-size": { type: "string" },
    seed: { type: "string" },
    "per-class": { type: "string" },
    threads: { type: "string" },
    quiet: { type: "boolean" },
  } as const;
  const spec = { usage: USAGE, flags, maxPositionals: 0, output };
  return runCommand(args, spec, async ({ values }, output) => {
    const modes = modesFlag(values.mode);
    const epochs = epochsFlag(values.epochs);
    const size = numberFlag(values["scratch-size"], "scratch-size", {
      fallback: D.scratch.size,
      integer: true,
      min: 32,
      max: 224,
    });
    if (size % 8 !== 0) throw new UsageError(`--scratch-size must be a multiple of 8, not ${size}`);
    const seed = numberFlag(values.seed, "seed", {
      fallback: D.seed,
      integer: true,
      max: 2 ** 32 - 1,
    });
    const perClass = values["per-class"] === undefined
      ? undefined
      : numberFlag(values["per-class"], "per-class", {
        fallback: 1,
        integer: true,
        min: 1,
        max: 40,
      });
    const threads = numberFlag(values.threads, "threads", {
      fallback: 1,
      integer: true,
      min: 1,
      max: 64,
    });
    const settings: FineTuneSettings = {
      seed,
      head: { ...D.head, epochs: epochs.head ?? D.head.epochs },
      full: { ...D.full, epochs: epochs.full ?? D.full.epochs },
      scratch: { ...D.scratch, epochs: epochs.scratch ?? D.scratch.epochs, size },
    };
    const out = values.out ?? "runs/finetune";
    await checkWritableDir(out, { what: "--out" });
    const dataDir = await resolveDataDir({ dataDir: values["data-dir"] });
    const run = await runFinetune({
      dataDir,
      modes,
      settings,
      perClass,
      threads,
      log: values.quiet ? undefined : output.stderr,
    });
    const report = await writeFinetuneReport(out, run);
    output.stderr(
      run.results.map((r) => `${r.mode} test ${(100 * r.testAcc).toFixed(2)} %`).join(", "),
    );
    output.stdout(report);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
