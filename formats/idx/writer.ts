/**
 * Writing IDX files (the format of MNIST/EMNIST), optionally gzip-compressed,
 * e.g. to build an EMNIST-format data set from other sources.
 *
 * @module
 */

import { DTypeError, ShapeError } from "../../autograd/errors.ts";
import { compress } from "../decompress.ts";
import { writeFileAtomic } from "../files.ts";
import { IDX_TYPES, type IdxData, type IdxType } from "./format.ts";

/**
 * An array to write, row-major. `type` may be left out: it follows from the
 * typed array (`Uint8Array` → ubyte, `Int8Array` → byte, `Int16Array` → short,
 * `Int32Array` → int, `Float32Array` → float, `Float64Array` → double).
 */
export interface IdxWritable {
  /** Element type (inferred when absent). */
  readonly type?: IdxType;
  /** 1 to 255 dimensions, each below 2^32; their product is the element count. */
  readonly shape: readonly number[];
  /** The elements, row-major. */
  readonly data: IdxData[IdxType];
}

/** Options of {@linkcode encodeIdx} and {@linkcode writeIdx}. */
export interface EncodeIdxOptions {
  /** Gzip the file (as the MNIST downloads are). Default false. */
  gzip?: boolean;
}

/** Encodes an array as the bytes of an IDX file. */
export async function encodeIdx(
  array: IdxWritable,
  options: EncodeIdxOptions = {},
): Promise<Uint8Array> {
  const type = array.type ?? typeOf(array.data);
  const info = IDX_TYPES[type];
  if (info === undefined || !(array.data instanceof info.ctor)) {
    throw new DTypeError(
      `IDX type ${type} needs a ${
        info?.ctor.name ?? "known typed array"
      }, got ${array.data.constructor.name}`,
    );
  }
  const { shape, data } = array;
  if (
    shape.length < 1 || shape.length > 255 ||
    !shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 32)
  ) {
    throw new ShapeError(
      `IDX shape [${shape}] must have 1 to 255 dimensions, each an integer in [0, 2^32)`,
    );
  }
  const count = shape.reduce((n, d) => n * d, 1);
  if (count !== data.length) {
    throw new ShapeError(`IDX shape [${shape}] needs ${count} elements, data has ${data.length}`);
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + count * info.size);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  if (info.size === 1) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.length), headerBytes);
  } else {
    for (let i = 0; i < count; i++) info.set(view, headerBytes + i * info.size, data[i]);
  }
  return options.gzip ? await compress(out, "gzip") : out;
}

/** Writes an array to an IDX file atomically (temporary file, then rename). */
export async function writeIdx(
  path: string,
  array: IdxWritable,
  options: EncodeIdxOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await encodeIdx(array, options));
}

function typeOf(data: IdxData[IdxType]): IdxType {
  const entry = Object.entries(IDX_TYPES).find(([, info]) => data instanceof info.ctor);
  if (entry === undefined) {
    throw new DTypeError(`cannot store a ${data.constructor.name} in an IDX file`);
  }
  return entry[0] as IdxType;
}
