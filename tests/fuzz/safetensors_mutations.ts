/**
 * Random valid safetensors files and the mutations the fuzz tests apply to
 * them: bit flips, length prefixes, truncation, spliced JSON fragments,
 * nudged numbers, duplicate keys and files spliced together.
 *
 * @module
 */

import {
  DTYPE_NAMES,
  encodeSafetensors,
  type SafetensorsDType,
  type SafetensorsTensor,
} from "../../formats/safetensors/mod.ts";
import type { Rng } from "../../autograd/rng.ts";
import { concat } from "../formats/safetensors_helpers.ts";
import { pick } from "./mutate.ts";

/** The typed array each dtype decodes to. */
export const ARRAY_OF: Record<
  SafetensorsDType,
  { new (length: number): SafetensorsTensor["data"] }
> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

const NAMES = ["w", "b", "layer.0.weight", "layer.0.bias", "é", "😀", "__proto__", "a b", "x\n"];

/** A valid file with 0–5 random tensors of random dtypes, shapes and bytes. */
export function randomFile(rng: Rng): Uint8Array {
  const tensors: Record<string, SafetensorsTensor> = {};
  const count = rng.int(6);
  for (let t = 0; t < count; t++) {
    const dtype = pick(rng, DTYPE_NAMES);
    const shape = Array.from({ length: rng.int(4) }, () => rng.int(4));
    const data = new ARRAY_OF[dtype](shape.reduce((a, b) => a * b, 1));
    const bytes = new Uint8Array(data.buffer);
    for (let i = 0; i < bytes.length; i++) bytes[i] = dtype === "BOOL" ? rng.int(2) : rng.int(256);
    tensors[`${pick(rng, NAMES)}${t}`] = { dtype, shape, data } as SafetensorsTensor;
  }
  const metadata = rng.int(2) ? { format: "pt", step: String(rng.int(1000)) } : undefined;
  return encodeSafetensors(tensors, { metadata });
}

/** The length prefix (0 for a file too short to have one). */
export function headerLength(bytes: Uint8Array): number {
  if (bytes.length < 8) return 0;
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

function withLength(bytes: Uint8Array, length: bigint): Uint8Array {
  const out = bytes.slice();
  if (out.length < 8) return out;
  new DataView(out.buffer).setBigUint64(0, length, true);
  return out;
}

/** JSON fragments spliced into headers: edge numbers, odd strings, wrong types, stray syntax. */
export const FRAGMENTS = [
  "[1e9,1e9]",
  "[1000000000,1000000000]",
  "[4294967296,4294967296,0]",
  "-1",
  "-0",
  "1.5",
  "1e3",
  "0",
  "18446744073709551616",
  "9007199254740993",
  "99999999999999999999999999999",
  '"F32"',
  '"BOOL"',
  '"I64"',
  '"F8_E5M2"',
  '"constructor"',
  "null",
  "true",
  "{}",
  "[]",
  "[0]",
  "[0,0]",
  "[0,4294967296]",
  "[-8,8]",
  '"\\ud800"',
  '"__proto__"',
  '"__metadata__"',
  "[[[[[[[[]]]]]]]]",
  '{"a":1,"a":2}',
  '"x\\u0000y"',
  "",
  ",",
  "}",
  "]",
  '"',
];

const TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|\[[^[\]]*\]/g;

/**
 * Replaces one match of `pattern` in the header by `replace(match)`, usually
 * fixing the length prefix so the edited JSON itself gets parsed.
 */
export function editHeader(
  rng: Rng,
  bytes: Uint8Array,
  pattern: RegExp,
  replace: (token: string) => string,
): Uint8Array {
  const n = Math.min(headerLength(bytes), Math.max(bytes.length - 8, 0));
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const tokens = [...json.matchAll(pattern)];
  if (tokens.length === 0) return bytes;
  const token = pick(rng, tokens);
  const edited = new TextEncoder().encode(
    json.slice(0, token.index) + replace(token[0]) + json.slice(token.index + token[0].length),
  );
  const length = rng.int(4) === 0 ? BigInt(n) : BigInt(edited.length);
  return withLength(concat(new Uint8Array(8), edited, bytes.subarray(8 + n)), length);
}

/** Replaces a random number, string or flat array of the header by a fragment. */
function spliceJson(rng: Rng, bytes: Uint8Array): Uint8Array {
  return editHeader(
    rng,
    bytes,
    TOKEN,
    () => rng.int(8) === 0 ? String(rng.nextUint32() - 2 ** 31) : pick(rng, FRAGMENTS),
  );
}

/** Nudges one integer of the header (a shape entry or an offset) to a nearby or special value. */
function tweakNumber(rng: Rng, bytes: Uint8Array): Uint8Array {
  return editHeader(rng, bytes, /\d+/g, (digits) => {
    const value = Number(digits);
    return String(
      pick(rng, [value + 1, value - 1, value + 4, value - 4, value * 2, 0, 1, 2 ** 31]),
    );
  });
}

/** Adds a second copy of an existing key (or a second __metadata__) to the header. */
function duplicateKey(rng: Rng, bytes: Uint8Array): Uint8Array {
  const n = headerLength(bytes);
  const json = new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd();
  const keys = [...json.matchAll(/"([^"\\]*)":\{/g)].map((m) => m[1]);
  const key = keys.length > 0 ? pick(rng, keys) : "__metadata__";
  const edited = new TextEncoder().encode(`${json.slice(0, -1)},"${key}":{}}`);
  return withLength(
    concat(new Uint8Array(8), edited, bytes.subarray(8 + n)),
    BigInt(edited.length),
  );
}

const LENGTHS = [
  0n,
  1n,
  7n,
  100_000_000n,
  100_000_001n,
  2n ** 32n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** A safetensors-aware mutation (the seeds are there for splicing files together). */
export type SafetensorsMutation = (
  rng: Rng,
  bytes: Uint8Array,
  seeds: readonly Uint8Array[],
) => Uint8Array;

/** The safetensors-aware mutations by name. */
export const SAFETENSORS_MUTATIONS: Record<string, SafetensorsMutation> = {
  flipHeader: (rng, bytes) => {
    const out = bytes.slice();
    const end = Math.min(8 + headerLength(bytes), out.length);
    for (let k = 1 + rng.int(4); k > 0 && end > 8; k--) {
      out[8 + rng.int(end - 8)] ^= 1 << rng.int(8);
    }
    return out;
  },
  randomHeaderByte: (rng, bytes) => {
    const out = bytes.slice();
    const end = Math.min(8 + headerLength(bytes), out.length);
    if (end > 8) out[8 + rng.int(end - 8)] = rng.int(256);
    return out;
  },
  flipBody: (rng, bytes) => {
    const out = bytes.slice();
    const start = 8 + headerLength(bytes);
    if (start < out.length) out[start + rng.int(out.length - start)] = rng.int(256);
    return out;
  },
  length: (rng, bytes) => {
    const n = BigInt(headerLength(bytes));
    const choice = rng.int(4);
    if (choice === 0) return withLength(bytes, pick(rng, LENGTHS));
    if (choice === 1) {
      return withLength(bytes, (BigInt(rng.nextUint32()) << 32n) | BigInt(rng.nextUint32()));
    }
    const shifted = n + BigInt(rng.int(33) - 16);
    return withLength(bytes, shifted < 0n ? 0n : shifted);
  },
  lengthPrefixByte: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length >= 8) out[rng.int(8)] = rng.int(256);
    return out;
  },
  truncate: (rng, bytes) => bytes.subarray(0, rng.int(bytes.length + 1)),
  extend: (rng, bytes) =>
    concat(bytes, Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))),
  spliceJson,
  tweakNumber,
  duplicateKey,
  spliceFiles: (rng, bytes, seeds) => {
    const other = pick(rng, seeds);
    const cut = 8 + Math.min(headerLength(bytes), bytes.length - 8);
    const otherCut = 8 + headerLength(other);
    return rng.int(2) ? concat(bytes.subarray(0, cut), other.subarray(otherCut)) : concat(
      bytes.subarray(0, rng.int(bytes.length + 1)),
      other.subarray(rng.int(other.length + 1)),
    );
  },
};
