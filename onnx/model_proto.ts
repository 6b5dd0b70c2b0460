/**
 * The shapes of the ONNX protobuf messages Inkling reads and writes, as
 * plain objects with the field names of `onnx.proto` (snake_case, as the
 * schema spells them; 64-bit integers as numbers). Only the fields Inkling
 * uses are typed; the codec keeps every other field it finds.
 *
 * @module
 */

/** `TensorProto.DataType` codes Inkling reads or writes. */
export const ONNX_DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** `AttributeProto.AttributeType` codes. */
export const ATTRIBUTE_TYPE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
} as const;

/** A tensor (an initializer, or an attribute's value). */
export interface OnnxTensor {
  /** Name (initializers are found by it). */
  name?: string;
  /** Extents, outermost first. */
  dims?: number[];
  /** A `TensorProto.DataType` code ({@linkcode ONNX_DTYPE}). */
  data_type?: number;
  /** Values as little-endian bytes. */
  raw_data?: Uint8Array;
  /** float32 values. */
  float_data?: number[];
  /** int32, and also float16 / int8 / uint8 values (one per entry). */
  int32_data?: number[];
  /** int64 values. */
  int64_data?: number[];
  /** float64 values. */
  double_data?: number[];
  /** 1 when the values live in another file (Inkling does not follow those). */
  data_location?: number;
}

/** A node attribute. */
export interface OnnxAttribute {
  /** Attribute name (`kernel_shape`, `pads`, …). */
  name?: string;
  /** An `AttributeType` code ({@linkcode ATTRIBUTE_TYPE}). */
  type?: number;
  /** Float value. */
  f?: number;
  /** Integer value. */
  i?: number;
  /** Bytes (string) value. */
  s?: Uint8Array;
  /** Tensor value. */
  t?: OnnxTensor;
  /** Float list. */
  floats?: number[];
  /** Integer list. */
  ints?: number[];
}

/** One operator application. */
export interface OnnxNode {
  /** Names of the tensors it reads ("" for an omitted optional input). */
  input?: string[];
  /** Names of the tensors it writes. */
  output?: string[];
  /** Node name (may be empty). */
  name?: string;
  /** Operator (`Conv`, `Relu`, …). */
  op_type?: string;
  /** Operator set domain ("" or "ai.onnx" for the standard ops). */
  domain?: string;
  /** Attributes. */
  attribute?: OnnxAttribute[];
}

/** One dimension of a declared shape: a number, or a symbolic name such as a batch size. */
export interface OnnxDimension {
  /** Fixed extent. */
  dim_value?: number;
  /** Symbolic name of a free extent. */
  dim_param?: string;
}

/** The name and (tensor) type of a graph input or output. */
export interface OnnxValueInfo {
  /** Tensor name. */
  name?: string;
  /** Its type: element type and shape. */
  type?: {
    tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDimension[] } };
  };
}

/** A computation graph: nodes in topological order, weights, inputs and outputs. */
export interface OnnxGraph {
  /** The nodes, each after the nodes that produce its inputs. */
  node?: OnnxNode[];
  /** Graph name. */
  name?: string;
  /** Constant tensors (weights). */
  initializer?: OnnxTensor[];
  /** Inputs (older files list the initializers here too). */
  input?: OnnxValueInfo[];
  /** Outputs. */
  output?: OnnxValueInfo[];
  /** Types of intermediate tensors. */
  value_info?: OnnxValueInfo[];
  /** Free text. */
  doc_string?: string;
}

/** An operator set the model uses, with its version. */
export interface OnnxOpsetId {
  /** Domain ("" is the standard one). */
  domain?: string;
  /** Version. */
  version?: number;
}

/** A whole `.onnx` file. */
export interface OnnxModel {
  /** IR version of the file format. */
  ir_version?: number;
  /** Operator sets and their versions. */
  opset_import?: OnnxOpsetId[];
  /** Tool that wrote the file. */
  producer_name?: string;
  /** Its version. */
  producer_version?: string;
  /** Free text. */
  doc_string?: string;
  /** The graph. */
  graph?: OnnxGraph;
}
