/**
 * Reading and writing the safetensors format of Hugging Face, Inkling's
 * checkpoint format: an 8-byte little-endian header length, a UTF-8 JSON header
 * (`name → { dtype, shape, data_offsets }` plus optional string `__metadata__`)
 * and the tensors' bytes. {@linkcode encodeSafetensors} writes the same bytes
 * as the reference implementation; {@linkcode decodeSafetensors} validates the
 * whole header against the file size before copying any data and reports every
 * defect as a `FormatError` naming the file. It imports only the engine's error
 * types and the rest of `formats/`.
 *
 * @module
 */

export { decodeSafetensors } from "./decode.ts";
export type { DecodedSafetensors, DecodeOptions } from "./decode.ts";
export { encodeSafetensors } from "./encode.ts";
export type { EncodeOptions } from "./encode.ts";
export { loadSafetensors, saveSafetensors } from "./file_io.ts";
export type { LoadOptions } from "./file_io.ts";
export { DTYPE_NAMES } from "./dtypes.ts";
export type {
  SafetensorsArray,
  SafetensorsArrays,
  SafetensorsDType,
  SafetensorsTensor,
} from "./dtypes.ts";
export { MAX_HEADER_BYTES } from "./header.ts";
