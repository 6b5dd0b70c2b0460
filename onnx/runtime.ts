/**
 * {@linkcode OnnxSession}: runs an ONNX model with onnxruntime (CPU), taking
 * and returning Inkling tensors. A session comes from a path or from bytes;
 * float32 and float16 inputs and outputs are converted to and from float32
 * tensors; {@linkcode OnnxSession.runBatched} feeds a large batch in pieces.
 * A missing file, a file onnxruntime cannot load and an input of the wrong
 * shape each give one clear error naming the model.
 *
 * @module
 */

import {
  concat,
  FormatError,
  InklingError,
  ShapeError,
  showShape,
  Tensor,
} from "../autograd/mod.ts";
import { readFileLimited } from "../formats/files.ts";
import { MAX_ONNX_BYTES } from "./codec.ts";
import { float16ToFloat32, float32ToFloat16 } from "./float16.ts";
import { loadOnnxRuntime } from "./ort_loader.ts";

type Ort = Awaited<ReturnType<typeof loadOnnxRuntime>>;
type OrtSession = Awaited<ReturnType<Ort["InferenceSession"]["create"]>>;

/** Name, element type and shape of a model input or output (a string extent is free). */
export interface OnnxValueSpec {
  /** Tensor name. */
  name: string;
  /** Element type as onnxruntime names it (`float32`, `float16`, …). */
  type: string;
  /** Extents; a string is a symbolic (free) extent, such as the batch size. */
  shape: readonly (number | string)[];
}

/** Options of {@linkcode OnnxSession.create}. */
export interface OnnxSessionOptions {
  /** Names the model in errors (default: the path, or "model.onnx" for bytes). */
  source?: string;
  /** Threads onnxruntime may use inside one op (default: its own choice). */
  threads?: number;
}

const TYPES = new Set(["float32", "float16"]);

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 200);
}

/** An onnxruntime session over one model. */
export class OnnxSession {
  /** The model's name in errors. */
  readonly source: string;
  /** The model's inputs. */
  readonly inputs: readonly OnnxValueSpec[];
  /** The model's outputs. */
  readonly outputs: readonly OnnxValueSpec[];
  private readonly ort: Ort;
  private readonly session: OrtSession;

  private constructor(ort: Ort, session: OrtSession, source: string) {
    this.ort = ort;
    this.session = session;
    this.source = source;
    const spec = (m: (typeof session.inputMetadata)[number]): OnnxValueSpec =>
      m.isTensor
        ? { name: m.name, type: m.type, shape: [...m.shape] }
        : { name: m.name, type: "non-tensor", shape: [] };
    this.inputs = session.inputMetadata.map(spec);
    this.outputs = session.outputMetadata.map(spec);
  }

  /**
   * Opens the model at a path, or in `.onnx` bytes. Loading onnxruntime
   * needs `--allow-ffi`; a missing or unreadable file, and a file
   * onnxruntime refuses, give a {@linkcode FormatError} naming it.
   */
  static async create(
    model: string | Uint8Array,
    options: OnnxSessionOptions = {},
  ): Promise<OnnxSession> {
    const source = options.source ?? (typeof model === "string" ? model : "model.onnx");
    const bytes = typeof model === "string"
      ? await readFileLimited(model, { what: "ONNX model", maxBytes: MAX_ONNX_BYTES })
      : model;
    const ort = await loadOnnxRuntime();
    try {
      const session = await ort.InferenceSession.create(bytes, {
        ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
      });
      return new OnnxSession(ort, session, source);
    } catch (error) {
      throw new FormatError(`${source}: onnxruntime cannot load the model (${firstLine(error)})`);
    }
  }

  /**
   * Runs the model on `feeds` (a tensor per input name); returns the outputs
   * (all, or those named in `options.outputs`) as float32 tensors.
   */
  async run(
    feeds: Readonly<Record<string, Tensor>>,
    options: { outputs?: readonly string[] } = {},
  ): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, InstanceType<Ort["Tensor"]>> = {};
    for (const spec of this.inputs) {
      const x = feeds[spec.name];
      if (!x) throw new InklingError(`${this.source}: no tensor given for input "${spec.name}"`);
      ortFeeds[spec.name] = this.toOrt(spec, x);
    }
    const unknown = Object.keys(feeds).filter((n) => !this.inputs.some((s) => s.name === n));
    if (unknown.length > 0) {
      throw new InklingError(
        `${this.source}: the model has no input ${unknown.map((n) => `"${n}"`).join(", ")} ` +
          `(its inputs: ${this.inputs.map((s) => s.name).join(", ")})`,
      );
    }
    const wanted = options.outputs ?? this.outputs.map((s) => s.name);
    for (const name of wanted) {
      if (!this.outputs.some((s) => s.name === name)) {
        throw new InklingError(`${this.source}: the model has no output "${name}"`);
      }
    }
    let results;
    try {
      results = await this.session.run(ortFeeds, [...wanted]);
    } catch (error) {
      throw new InklingError(`${this.source}: onnxruntime failed (${firstLine(error)})`);
    }
    const out: Record<string, Tensor> = {};
    for (const name of wanted) {
      out[name] = fromOrt(results[name], `${this.source}: output "${name}"`);
    }
    return out;
  }

  /**
   * Runs the model on `x` in batches along the first axis and joins the
   * results: `options.batchSize` rows at a time (default 64, or the
   * model's own batch size when its input fixes one; a short last batch is
   * then padded with zeros and trimmed). One input; returns `options.output`
   * (default the first output).
   */
  async runBatched(
    x: Tensor,
    options: { batchSize?: number; output?: string } = {},
  ): Promise<Tensor> {
    if (this.inputs.length !== 1) {
      throw new InklingError(`${this.source}: runBatched needs a model with one input`);
    }
    const [spec] = this.inputs;
    const fixed = typeof spec.shape[0] === "number" ? spec.shape[0] as number : undefined;
    const size = fixed ?? options.batchSize ?? 64;
    if (
      !(Number.isInteger(size) && size >= 1) ||
      (fixed && options.batchSize && options.batchSize !== fixed)
    ) {
      throw new InklingError(
        `${this.source}: batch size ${options.batchSize} does not fit the model's ${
          fixed ?? "free"
        } batch`,
      );
    }
    const output = options.output ?? this.outputs[0].name;
    const rows = x.shape[0];
    const row = x.size / Math.max(rows, 1);
    const parts: Tensor[] = [];
    for (let start = 0; start < rows; start += size) {
      const count = Math.min(size, rows - start);
      const data = new Float32Array((fixed ? size : count) * row);
      data.set(x.data.subarray(start * row, (start + count) * row));
      const batch = new Tensor(data, [fixed ? size : count, ...x.shape.slice(1)]);
      const y = (await this.run({ [spec.name]: batch }, { outputs: [output] }))[output];
      const per = y.size / y.shape[0];
      parts.push(new Tensor(y.data.slice(0, count * per), [count, ...y.shape.slice(1)]));
    }
    return parts.length === 1 ? parts[0] : concat(parts, { axis: 0 });
  }

  /** Frees the session's native memory. */
  async release(): Promise<void> {
    await this.session.release();
  }

  /** `x` as onnxruntime's tensor for input `spec`, after checking its shape. */
  private toOrt(spec: OnnxValueSpec, x: Tensor): InstanceType<Ort["Tensor"]> {
    if (!TYPES.has(spec.type)) {
      throw new InklingError(
        `${this.source}: input "${spec.name}" is ${spec.type}; Inkling feeds float32 and float16`,
      );
    }
    const fits = spec.shape.length === x.ndim &&
      spec.shape.every((d, i) => typeof d === "string" || d === x.shape[i]);
    if (!fits) {
      const want = spec.shape.map((d) => (typeof d === "string" ? d || "?" : d)).join(", ");
      throw new ShapeError(
        `${this.source}: input "${spec.name}" must be [${want}], got ${showShape(x.shape)}`,
      );
    }
    const dims = [...x.shape];
    return spec.type === "float16"
      ? new this.ort.Tensor("float16", float32ToFloat16(x.data), dims)
      : new this.ort.Tensor("float32", Float32Array.from(x.data), dims);
  }
}

/** An onnxruntime output as a float32 tensor. */
function fromOrt(value: unknown, what: string): Tensor {
  const t = value as { type?: string; data?: unknown; dims?: readonly number[] };
  if (t.type === "float32" && t.data instanceof Float32Array) {
    return new Tensor(t.data, [...t.dims!]);
  }
  if (t.type === "float16" && t.data instanceof Uint16Array) {
    return new Tensor(float16ToFloat32(t.data), [...t.dims!]);
  }
  throw new InklingError(
    `${what} is ${t.type ?? "not a tensor"}; Inkling reads float32 and float16`,
  );
}
