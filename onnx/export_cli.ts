/**
 * `deno task export --model RUN/model.safetensors --out model.onnx`: writes
 * a trained classifier as an ONNX model (opset 13 unless `--opset N`), with
 * a free batch axis: input `[batch, size²]` glyph rows, output
 * `[batch, classes]` logits. Flags only; the work is in export_checkpoint.ts.
 *
 * @module
 */

import { resolve } from "node:path";
import { checkWritableDir } from "../formats/files.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import { exportCheckpoint } from "./export_checkpoint.ts";
import { OPSET_RANGE } from "./export_onnx.ts";

const USAGE = `usage: deno task export --model FILE --out FILE.onnx [--opset N]
  --model FILE      classifier checkpoint (e.g. runs/nist36/model.safetensors)
  --out FILE.onnx   where to write the ONNX model (replaced atomically)
  --opset N         ONNX operator set, ${OPSET_RANGE.min} to ${OPSET_RANGE.max} (default ${OPSET_RANGE.min})`;

/** Runs the CLI (writing to `output`, the console by default); returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = {
    model: { type: "string" },
    out: { type: "string" },
    opset: { type: "string" },
  } as const;
  return runCommand(args, { usage: USAGE, flags, output, maxPositionals: 0 }, async (p, out) => {
    const { model, out: target } = p.values;
    if (!model) throw new UsageError("--model FILE is required");
    if (!target) throw new UsageError("--out FILE.onnx is required");
    if (!target.endsWith(".onnx")) throw new UsageError("--out must name a .onnx file");
    if (resolve(model) === resolve(target)) throw new UsageError("--out must not be --model");
    const opset = numberFlag(p.values.opset, "opset", {
      fallback: OPSET_RANGE.min,
      integer: true,
      min: OPSET_RANGE.min,
      max: OPSET_RANGE.max,
    });
    await checkWritableDir(resolve(target, ".."), { what: "--out" });
    const summary = await exportCheckpoint(model, target, { opset });
    out.stdout(
      `wrote ${target} (${summary.bytes} bytes, opset ${opset}): input [batch, ${summary.inputs}]` +
        ` → logits [batch, ${summary.classes.length}]`,
    );
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
