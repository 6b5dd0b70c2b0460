/**
 * The values of ONNX tensors (initializers and tensor attributes) as
 * Inkling data, and Inkling data as ONNX tensors. float16 and float64
 * weights become float32; every size is checked against the tensor's dims
 * before anything is allocated, so a file whose initializer is shorter or
 * longer than its shape says gives a {@linkcode FormatError} naming the
 * file, the tensor and the op that reads it.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { float16ToFloat32 } from "./float16.ts";
import { ONNX_DTYPE, type OnnxTensor } from "./model_proto.ts";

/** Most elements one tensor may have (what a float32 array can hold). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Who reads a tensor, for error messages: the file and the node. */
export interface TensorContext {
  /** The file. */
  source: string;
  /** The node, e.g. `node 3 "conv1" (op Conv)`. */
  where: string;
}

const BYTES: Record<number, number> = {
  [ONNX_DTYPE.FLOAT]: 4,
  [ONNX_DTYPE.FLOAT16]: 2,
  [ONNX_DTYPE.DOUBLE]: 8,
  [ONNX_DTYPE.INT32]: 4,
  [ONNX_DTYPE.INT64]: 8,
};
const NAMES: Record<number, string> = {
  [ONNX_DTYPE.FLOAT]: "float32",
  [ONNX_DTYPE.FLOAT16]: "float16",
  [ONNX_DTYPE.DOUBLE]: "float64",
  [ONNX_DTYPE.INT32]: "int32",
  [ONNX_DTYPE.INT64]: "int64",
};

/** Checked dims of `tensor` and their element count. */
function extents(tensor: OnnxTensor, fail: (what: string) => FormatError) {
  const dims = tensor.dims ?? [];
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw fail(`has dimension ${d}`);
    count *= d;
    if (count > MAX_ELEMENTS) throw fail(`has more than ${MAX_ELEMENTS} elements`);
  }
  return { dims: [...dims], count };
}

/** The raw little-endian bytes of `tensor`, or the entries of its typed field, checked against `count`. */
function stored(tensor: OnnxTensor, count: number, fail: (what: string) => FormatError) {
  const type = tensor.data_type ?? 0;
  if (tensor.data_location === 1) throw fail("keeps its values in an external file");
  if (!(type in BYTES)) throw fail(`has element type ${type}, not float16/32/64 or int32/64`);
  const raw = tensor.raw_data;
  if (raw && raw.length > 0) {
    if (raw.length !== count * BYTES[type]) {
      throw fail(
        `holds ${raw.length} bytes; its dims [${tensor.dims ?? []}] need ${count * BYTES[type]}` +
          ` (${NAMES[type]})`,
      );
    }
    return { type, raw: new DataView(raw.buffer, raw.byteOffset, raw.length), list: null };
  }
  const list = type === ONNX_DTYPE.FLOAT
    ? tensor.float_data
    : type === ONNX_DTYPE.DOUBLE
    ? tensor.double_data
    : type === ONNX_DTYPE.INT64
    ? tensor.int64_data
    : tensor.int32_data;
  if ((list?.length ?? 0) !== count) {
    throw fail(`holds ${list?.length ?? 0} values; its dims [${tensor.dims ?? []}] need ${count}`);
  }
  return { type, raw: null, list: list ?? [] };
}

function failer(tensor: OnnxTensor, context: TensorContext) {
  const name = JSON.stringify((tensor.name ?? "").slice(0, 60));
  return (what: string) =>
    new FormatError(`${context.source}: ${context.where}: tensor ${name} ${what}`);
}

/** A float tensor's dims and values as float32 (float16 and float64 are converted). */
export function floatTensor(
  tensor: OnnxTensor,
  context: TensorContext,
): { dims: number[]; data: Float32Array } {
  const fail = failer(tensor, context);
  const { dims, count } = extents(tensor, fail);
  const { type, raw, list } = stored(tensor, count, fail);
  if (type === ONNX_DTYPE.INT32 || type === ONNX_DTYPE.INT64) {
    throw fail(`is ${NAMES[type]}; a float tensor is needed here`);
  }
  const data = new Float32Array(count);
  if (raw) {
    if (type === ONNX_DTYPE.FLOAT16) {
      const words = new Uint16Array(count);
      for (let i = 0; i < count; i++) words[i] = raw.getUint16(2 * i, true);
      data.set(float16ToFloat32(words));
    } else if (type === ONNX_DTYPE.FLOAT) {
      for (let i = 0; i < count; i++) data[i] = raw.getFloat32(4 * i, true);
    } else for (let i = 0; i < count; i++) data[i] = raw.getFloat64(8 * i, true);
  } else if (type === ONNX_DTYPE.FLOAT16) {
    data.set(float16ToFloat32(Uint16Array.from(list!, (v) => v & 0xffff)));
  } else data.set(list!);
  return { dims, data };
}

/** An integer tensor's values (int64 or int32), e.g. the target shape of a Reshape. */
export function intTensor(tensor: OnnxTensor, context: TensorContext): number[] {
  const fail = failer(tensor, context);
  const { count } = extents(tensor, fail);
  const { type, raw, list } = stored(tensor, count, fail);
  if (type !== ONNX_DTYPE.INT32 && type !== ONNX_DTYPE.INT64) {
    throw fail(`is ${NAMES[type]}; an integer tensor is needed here`);
  }
  if (!raw) return [...list!];
  return Array.from(
    { length: count },
    (_, i) =>
      type === ONNX_DTYPE.INT64 ? Number(raw.getBigInt64(8 * i, true)) : raw.getInt32(4 * i, true),
  );
}

/** A float32 ONNX tensor named `name` holding `data` with extents `dims`. */
export function float32Tensor(name: string, dims: readonly number[], data: ArrayLike<number>) {
  const values = Float32Array.from(data);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return { name, dims: [...dims], data_type: ONNX_DTYPE.FLOAT, raw_data: raw } satisfies OnnxTensor;
}

/** An int64 ONNX tensor named `name` holding `values` (a vector). */
export function int64Tensor(name: string, values: readonly number[]): OnnxTensor {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims: [values.length], data_type: ONNX_DTYPE.INT64, raw_data: raw };
}
