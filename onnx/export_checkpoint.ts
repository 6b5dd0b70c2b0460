/**
 * A classifier checkpoint (`RUN/model.safetensors`) → an `.onnx` file: the
 * library side of `deno task export`. The checkpoint's architecture
 * metadata says which network to build (the MLP or the glyph CNN of
 * `models/`); its weights are loaded into it and the network is exported
 * with a free batch axis, taking glyph rows `[N, size²]` and giving logits
 * `[N, classes]`. The class names go into the model's doc string.
 *
 * @module
 */

import { dirname } from "node:path";
import { writeFileAtomic } from "../formats/files.ts";
import { loadCheckpoint, type Sequential } from "../layers/mod.ts";
import { classifierFromCheckpoint, glyphSize } from "../models/mod.ts";
import { exportOnnx } from "./export_onnx.ts";

/**
 * The network a classifier checkpoint holds, with its class names and the
 * values per input row; metadata and tensors are checked against each other
 * before the network is built (`classifierFromCheckpoint`).
 */
export async function loadClassifier(
  path: string,
): Promise<{ network: Sequential; classes: string; inputs: number }> {
  const { network, architecture, classes } = classifierFromCheckpoint(
    await loadCheckpoint(path),
    path,
  );
  const size = glyphSize(architecture);
  const inputs = architecture.kind === "mlp" ? architecture.inputs : size * size;
  return { network, classes, inputs };
}

/** What {@linkcode exportCheckpoint} wrote. */
export interface ExportSummary {
  /** Bytes of the `.onnx` file. */
  bytes: number;
  /** Values per input row. */
  inputs: number;
  /** Class names, in output order. */
  classes: string;
}

/** Exports the classifier checkpoint at `modelPath` to `outPath` (atomically; its folder is made). */
export async function exportCheckpoint(
  modelPath: string,
  outPath: string,
  options: { opset?: number } = {},
): Promise<ExportSummary> {
  const { network, classes, inputs } = await loadClassifier(modelPath);
  const bytes = exportOnnx(network, {
    inputShape: [inputs],
    opset: options.opset,
    docString: JSON.stringify({ classes, source: "inkling classifier checkpoint" }),
  });
  await Deno.mkdir(dirname(outPath), { recursive: true });
  await writeFileAtomic(outPath, bytes);
  return { bytes: bytes.length, inputs, classes };
}
