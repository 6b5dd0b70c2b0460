/**
 * ONNX in and out. Reading and writing `.onnx` files (protobufjs with the
 * vendored official schema) and cutting a graph at a named tensor; running
 * a model with onnxruntime ({@linkcode OnnxSession}: float32 and float16,
 * batching); importing a graph as an Inkling network
 * ({@linkcode importOnnx}: the ops of SqueezeNet 1.1 and of Inkling's own
 * exports, weights as trainable float32 parameters); and exporting an
 * Inkling network ({@linkcode exportOnnx}, opset 13+, free batch axis).
 * Imports: the engine, `formats/` (file I/O), `layers/` and `models/` (the
 * layers it builds and exports), and the npm packages protobufjs and
 * onnxruntime-node; onnxruntime is loaded only when a session is created, so
 * only that needs `--allow-ffi`. Nothing below this folder imports it, so
 * the engine, layers and models stay free of packages.
 *
 * @example
 * ```ts
 * import { exportOnnx, OnnxSession } from "@inkling/inkling/onnx";
 * import { Linear, ReLU, Rng, Sequential, tensor } from "@inkling/inkling";
 * const rng = new Rng(0);
 * const net = new Sequential(new Linear(4, 8, { rng }), new ReLU(), new Linear(8, 3, { rng }));
 * const session = await OnnxSession.create(exportOnnx(net, { inputShape: [4] }));
 * const { logits } = await session.run({ input: tensor([[1, 2, 3, 4]]) });
 * console.log(logits.shape); // [1, 3]
 * ```
 *
 * @module
 */

export * from "./model_proto.ts";
export { decodeOnnx, encodeOnnx, MAX_ONNX_BYTES, readOnnx, writeOnnx } from "./codec.ts";
export { float16ToFloat32, float32ToFloat16, floatToHalf, halfToFloat } from "./float16.ts";
export { floatTensor, intTensor, type TensorContext } from "./tensor_data.ts";
export { cutOnnx, nodesNeeded } from "./surgery.ts";
export * from "./graph_layers.ts";
export * from "./graph_module.ts";
export {
  importOnnx,
  type ImportOnnxOptions,
  standardOpset,
  SUPPORTED_ONNX_OPS,
} from "./import_onnx.ts";
export { EXPORTED_LAYERS } from "./export_layers.ts";
export { exportOnnx, type ExportOnnxOptions, OPSET_RANGE, toOnnxModel } from "./export_onnx.ts";
export { exportCheckpoint, type ExportSummary, loadClassifier } from "./export_checkpoint.ts";
export { OnnxSession, type OnnxSessionOptions, type OnnxValueSpec } from "./runtime.ts";
export { loadOnnxRuntime, type OrtModule } from "./ort_loader.ts";
