/**
 * `.onnx` files ↔ {@linkcode OnnxModel} objects, through protobufjs and the
 * vendored official schema (`onnx_proto.ts`): no hand-written protobuf
 * code. Decoding checks the structure Inkling relies on (a graph, named
 * operators, tensor names that are strings) and turns every failure —
 * truncated bytes, bytes that are not protobuf, a message that is not an
 * ONNX model — into a {@linkcode FormatError} that names the file.
 *
 * @module
 */

import protobuf from "protobufjs";
import { FormatError } from "../autograd/errors.ts";
import { readFileLimited, writeFileAtomic } from "../formats/files.ts";
import type { OnnxGraph, OnnxModel } from "./model_proto.ts";
import { ONNX_PROTO } from "./onnx_proto.ts";

/** protobuf's own limit on one message: 2 GiB. */
export const MAX_ONNX_BYTES = 2 ** 31 - 1;

let modelType: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type, parsed from the schema on first use. */
function model(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root.lookupType("onnx.ModelProto");
  return modelType;
}

const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 160);

/**
 * Decodes the bytes of an `.onnx` file. `options.source` (default "model.onnx")
 * names the input in errors.
 */
export function decodeOnnx(bytes: Uint8Array, options: { source?: string } = {}): OnnxModel {
  const source = options.source ?? "model.onnx";
  let decoded: OnnxModel;
  try {
    const type = model();
    decoded = type.toObject(type.decode(bytes), { longs: Number }) as OnnxModel;
  } catch (error) {
    throw new FormatError(`${source}: not a readable ONNX model (protobuf: ${firstLine(error)})`);
  }
  checkModel(decoded, source);
  return decoded;
}

/** Encodes a model to the bytes of an `.onnx` file. */
export function encodeOnnx(onnx: OnnxModel): Uint8Array {
  const type = model();
  const problem = type.verify(onnx);
  if (problem) {
    throw new FormatError(`encodeOnnx: the model is not a valid ModelProto (${problem})`);
  }
  const bytes = type.encode(type.fromObject(onnx)).finish();
  // Under Node compatibility protobufjs hands out a Buffer; callers get a plain Uint8Array.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Reads and decodes the `.onnx` file at `path` (errors name the path). */
export async function readOnnx(path: string): Promise<OnnxModel> {
  const bytes = await readFileLimited(path, { what: "ONNX model", maxBytes: MAX_ONNX_BYTES });
  return decodeOnnx(bytes, { source: path });
}

/** Encodes `onnx` and writes it to `path` atomically (a reader never sees half a file). */
export async function writeOnnx(path: string, onnx: OnnxModel): Promise<void> {
  await writeFileAtomic(path, encodeOnnx(onnx));
}

/** The structure every reader of the model relies on; throws a FormatError naming `source`. */
function checkModel(onnx: OnnxModel, source: string): void {
  const fail = (what: string) => new FormatError(`${source}: ${what}`);
  if (!onnx.graph) throw fail("not an ONNX model (no graph)");
  if (!onnx.opset_import?.length) throw fail("not an ONNX model (no operator set is imported)");
  checkGraph(onnx.graph, fail);
}

function checkGraph(graph: OnnxGraph, fail: (what: string) => FormatError): void {
  const nodes = graph.node ?? [];
  if (nodes.length === 0) throw fail("the graph has no nodes");
  nodes.forEach((node, index) => {
    const where = `node ${index}${node.name ? ` "${node.name.slice(0, 60)}"` : ""}`;
    if (!node.op_type) throw fail(`${where} has no operator type`);
    if (!node.output?.length) {
      throw fail(`${where} (op ${node.op_type.slice(0, 40)}) has no output`);
    }
  });
  for (const tensor of graph.initializer ?? []) {
    if (!tensor.name) throw fail("an initializer has no name");
  }
  if (!graph.output?.length || graph.output.some((o) => !o.name)) {
    throw fail("the graph declares no named output");
  }
}
