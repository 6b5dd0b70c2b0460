/**
 * `deno task ocr:eval`: reads the sample photos of the data directory's
 * `images/` folder, scores them against their transcriptions (character and
 * word error rate, no-space accuracy), prints the Markdown table and writes
 * it with one overlay per photo into `--out` (default `runs/ocr_eval`).
 *
 * @module
 */

import { checkWritableDir } from "../formats/files.ts";
import { type CommandOutput, runCommand } from "../tools/command_line.ts";
import { evaluateOcr } from "./eval.ts";

const USAGE = `usage: deno task ocr:eval [--out DIR] [--model FILE] [--data-dir DIR] [--no-context]
  --out DIR        where ocr_eval.md and the overlays go (default runs/ocr_eval)
  --model FILE     classifier checkpoint (default: the committed model)
  --data-dir DIR   data directory holding images/ (or INKLING_DATA_DIR, else ../shared/data)
  --no-context     score without the word-context correction`;

/** Runs the evaluation with `args` (no positional arguments); returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = {
    out: { type: "string" },
    model: { type: "string" },
    "data-dir": { type: "string" },
    "no-context": { type: "boolean" },
  } as const;
  const spec = { usage: USAGE, flags, output, maxPositionals: 0 };
  return runCommand(args, spec, async ({ values }, out) => {
    const outDir = values.out ?? "runs/ocr_eval";
    await checkWritableDir(outDir, { what: "--out" });
    const evaluation = await evaluateOcr({
      outDir,
      model: values.model,
      dataDir: values["data-dir"],
      context: !values["no-context"],
    });
    out.stdout(evaluation.table);
    out.stderr(`wrote ${outDir}/ocr_eval.md and ${evaluation.images.length} overlays`);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
