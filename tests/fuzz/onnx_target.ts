/**
 * The fuzz target of `.onnx` files: small models (an exported MLP, a
 * branching graph with ceil-mode pooling and legacy Softmax, and the same
 * graph with float16 weights, raw and in `int32_data`) are mutated and fed
 * through `decodeOnnx` and `importOnnx`. A model that imports must hold no
 * more parameter bytes than 4 × its file (float32 from float16 words or
 * one-byte varints) plus 64 KiB.
 *
 * @module
 */

import { Linear, ReLU, Rng, Sequential } from "../../mod.ts";
import { decodeOnnx, encodeOnnx } from "../../onnx/codec.ts";
import { exportOnnx } from "../../onnx/export_onnx.ts";
import { float32ToFloat16 } from "../../onnx/float16.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { ONNX_DTYPE, type OnnxModel } from "../../onnx/model_proto.ts";
import { floatTensor } from "../../onnx/tensor_data.ts";
import { branchingModel } from "../onnx/onnx_graphs.ts";
import { mutate } from "./mutate.ts";
import type { FuzzTarget, PreparedTarget } from "./target.ts";

/** `onnx` with every float initializer stored as float16 (raw words, or one per int32_data entry). */
function asFloat16(onnx: OnnxModel, where: "raw" | "int32"): OnnxModel {
  const initializer = onnx.graph!.initializer!.map((t) => {
    const words = float32ToFloat16(floatTensor(t, { source: "seed", where: "seed" }).data);
    return where === "raw"
      ? { ...t, data_type: ONNX_DTYPE.FLOAT16, raw_data: new Uint8Array(words.buffer) }
      : { name: t.name, dims: t.dims, data_type: ONNX_DTYPE.FLOAT16, int32_data: [...words] };
  });
  return { ...onnx, graph: { ...onnx.graph, initializer } };
}

/** `.onnx` files through decodeOnnx and importOnnx. */
export const ONNX_TARGET: FuzzTarget = {
  name: "onnx",
  description:
    "ONNX models (MLP, branching CNN, float16 weights) through decodeOnnx and importOnnx",
  boundText: "parameters ≤ 4 × input + 64 KiB",
  prepare(): Promise<PreparedTarget> {
    const rng = new Rng(0);
    const mlp = new Sequential(new Linear(12, 6, { rng }), new ReLU(), new Linear(6, 3, { rng }));
    const seeds = [
      exportOnnx(mlp, { inputShape: [12] }),
      encodeOnnx(branchingModel({ opset: 10 })),
      encodeOnnx(asFloat16(branchingModel({ opset: 7, seed: 2 }), "raw")),
      encodeOnnx(asFloat16(branchingModel({ opset: 13, seed: 3 }), "int32")),
    ];
    return Promise.resolve({
      seeds,
      mutant: (r) => Promise.resolve(mutate(seeds[r.int(seeds.length)], r, { others: seeds })),
      run(bytes) {
        const onnx = decodeOnnx(bytes, { source: "fuzz.onnx" });
        const net = importOnnx(onnx, { source: "fuzz.onnx" });
        return Promise.resolve(net.parameters().reduce((n, p) => n + p.data.byteLength, 0));
      },
      errorPrefix: "fuzz.onnx",
      bound: (n) => 4 * n + 65536,
      close: () => Promise.resolve(),
    });
  },
};
