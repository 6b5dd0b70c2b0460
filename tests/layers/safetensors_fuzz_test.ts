import assert from "node:assert/strict";
import {
  decodeSafetensors,
  DTYPE_NAMES,
  encodeSafetensors,
  type SafetensorsDType,
  type SafetensorsTensor,
} from "../../layers/safetensors/mod.ts";
import { JsonReader } from "../../layers/safetensors/json_reader.ts";
import { FormatError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";

const SOURCE = "fuzz.safetensors";
const CASES = 4000;

const ARRAY_OF: Record<SafetensorsDType, { new (length: number): SafetensorsTensor["data"] }> = {
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

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** A valid file with 0–5 random tensors of random dtypes, shapes and bytes. */
function randomFile(rng: Rng): Uint8Array {
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
function headerLength(bytes: Uint8Array): number {
  if (bytes.length < 8) return 0;
  return Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

function withLength(bytes: Uint8Array, length: bigint): Uint8Array {
  const out = bytes.slice();
  if (out.length < 8) return out;
  new DataView(out.buffer).setBigUint64(0, length, true);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const FRAGMENTS = [
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
function editHeader(
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

type Mutation = (rng: Rng, bytes: Uint8Array, seeds: Uint8Array[]) => Uint8Array;

const MUTATIONS: Record<string, Mutation> = {
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

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A decoded file must be self-consistent and survive re-encoding unchanged. */
function checkLoaded(bytes: Uint8Array, label: string): void {
  const { tensors, metadata } = decodeSafetensors(bytes, { source: SOURCE });
  let total = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    assert.ok(DTYPE_NAMES.includes(tensor.dtype), `${label}: ${name} dtype`);
    assert.ok(
      tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0),
      `${label}: ${name} shape`,
    );
    assert.equal(tensor.data.constructor, ARRAY_OF[tensor.dtype], `${label}: ${name} array type`);
    assert.equal(tensor.data.length, product(tensor.shape), `${label}: ${name} element count`);
    if (tensor.dtype === "BOOL") {
      assert.ok(tensor.data.every((v) => v <= 1), `${label}: ${name} bool`);
    }
    total += tensor.data.byteLength;
  }
  assert.ok(
    total <= bytes.length - 8 - headerLength(bytes),
    `${label}: more data than the file holds`,
  );
  for (const value of Object.values(metadata)) assert.equal(typeof value, "string");
  const again = decodeSafetensors(encodeSafetensors(tensors, { metadata }));
  assert.deepEqual(Object.keys(again.tensors).sort(), Object.keys(tensors).sort(), label);
  for (const [name, tensor] of Object.entries(tensors)) {
    const copy = again.tensors[name];
    assert.deepEqual([copy.dtype, copy.shape], [tensor.dtype, tensor.shape], `${label}: ${name}`);
    assert.deepEqual(new Uint8Array(copy.data.buffer), new Uint8Array(tensor.data.buffer));
  }
  assert.deepEqual(again.metadata, metadata, label);
}

Deno.test(`safetensors fuzz: ${CASES} mutated files each load consistently or throw FormatError`, () => {
  const rng = new Rng(20240611);
  const seeds = Array.from({ length: 40 }, () => randomFile(rng));
  const names = Object.keys(MUTATIONS);
  const outcomes: Record<string, { loaded: number; rejected: number }> = {};
  for (const name of names) outcomes[name] = { loaded: 0, rejected: 0 };
  for (let i = 0; i < CASES; i++) {
    let bytes = pick(rng, seeds);
    // One to three stacked mutations; the first one names the case.
    const applied = Array.from(
      { length: 1 + (rng.int(3) === 0 ? rng.int(3) : 0) },
      () => pick(rng, names),
    );
    for (const name of applied) bytes = MUTATIONS[name](rng, bytes, seeds);
    const label = `case ${i} (${applied.join("+")})`;
    try {
      checkLoaded(bytes, label);
      outcomes[applied[0]].loaded++;
    } catch (error) {
      if (!(error instanceof FormatError)) {
        throw new Error(`${label}: expected a FormatError, got ${error}`, { cause: error });
      }
      assert.ok(error.message.startsWith(`${SOURCE}: `), `${label}: ${error.message}`);
      assert.ok(error.message.length < 600, `${label}: message of ${error.message.length} chars`);
      outcomes[applied[0]].rejected++;
    }
  }
  // Every mutation kind ran and the mix exercised both outcomes.
  for (const name of names) {
    const { loaded, rejected } = outcomes[name];
    assert.ok(loaded + rejected > CASES / names.length / 2, `${name} ran too rarely`);
  }
  const loaded = names.reduce((sum, name) => sum + outcomes[name].loaded, 0);
  assert.ok(loaded > CASES / 20 && loaded < CASES / 2, `${loaded} of ${CASES} loaded`);
  assert.ok(outcomes.truncate.rejected > 0 && outcomes.spliceJson.rejected > 0);
});

Deno.test("safetensors fuzz: claims of huge tensors are refused before any allocation", () => {
  const rng = new Rng(7);
  for (let i = 0; i < 200; i++) {
    const dims = Array.from(
      { length: 1 + rng.int(4) },
      () => 1 + rng.nextUint32() * 2 ** rng.int(22),
    );
    const end = dims.reduce((a, b) => a * b, 4);
    const header = JSON.stringify({
      w: {
        dtype: "F32",
        shape: dims,
        data_offsets: [0, Number.isSafeInteger(end) ? end : 2 ** 53 - 1],
      },
    });
    const json = new TextEncoder().encode(header);
    const bytes = concat(new Uint8Array(8), json, new Uint8Array(16));
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    assert.throws(() => decodeSafetensors(bytes, { source: SOURCE }), FormatError);
  }
});

/** Builds a value with the reader's public calls, numbers through their source text. */
function readAny(reader: JsonReader): unknown {
  switch (reader.peek()) {
    case "object": {
      const object: Record<string, unknown> = {};
      reader.beginObject();
      for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
        const value = readAny(reader);
        Object.defineProperty(object, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    case "array": {
      const array: unknown[] = [];
      reader.beginArray();
      while (reader.nextItem()) array.push(readAny(reader));
      return array;
    }
    case "string":
      return reader.readString();
    case "number":
      return Number(reader.readNumberText());
    default:
      return JSON.parse(reader.rawValue());
  }
}

Deno.test("safetensors fuzz: the JSON reader agrees with JSON.parse except where it is stricter", () => {
  const rng = new Rng(99);
  const bases = Array.from({ length: 20 }, () => {
    const bytes = randomFile(rng);
    return new TextDecoder().decode(bytes.subarray(8, 8 + headerLength(bytes)));
  });
  const alphabet = ' {}[]:,"\\-+.0123456789eEtrufalsn\t\n\u00e9\u{1F600}';
  let stricter = 0;
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    let text = pick(rng, bases);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const at = rng.int(text.length + 1);
      const cut = rng.int(3);
      const insert = rng.int(2) ? pick(rng, [...alphabet]) : pick(rng, FRAGMENTS);
      text = text.slice(0, at) + (rng.int(2) ? insert : "") + text.slice(at + cut);
    }
    let expected: unknown;
    let builtInOk = true;
    try {
      expected = JSON.parse(text);
    } catch {
      builtInOk = false;
    }
    const fail = (message: string) => new FormatError(message);
    // Skipping and building must agree on what is valid.
    const outcomes = [(r: JsonReader) => r.skipValue(), readAny].map((read) => {
      try {
        const reader = new JsonReader(text, { fail });
        const value = read(reader);
        reader.expectEnd();
        return { value, problem: "" };
      } catch (error) {
        assert.ok(error instanceof FormatError, `case ${i}: ${error}`);
        return { value: undefined, problem: error.message };
      }
    });
    assert.equal(outcomes[0].problem, outcomes[1].problem, `case ${i}`);
    const { value, problem } = outcomes[1];
    if (problem === "") {
      assert.ok(builtInOk, `case ${i}: accepted what JSON.parse refuses: ${JSON.stringify(text)}`);
      assert.deepEqual(value, expected, `case ${i}`);
      accepted++;
    } else if (builtInOk) {
      assert.match(problem, /duplicate key|unpaired surrogate|nesting deeper/, `case ${i}`);
      stricter++;
    }
  }
  assert.ok(stricter > 0 && accepted > 100, `${stricter} stricter, ${accepted} accepted`);
});
