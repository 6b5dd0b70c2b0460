import assert from "node:assert/strict";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  type SafetensorsTensor,
  saveSafetensors,
} from "../../layers/safetensors/mod.ts";
import { DTypeError, FormatError, InklingError, ShapeError } from "../../autograd/errors.ts";

// ---------------------------------------------------------------- helpers

const text = new TextEncoder();

/** Little-endian u64 of `n`. */
function u64(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
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

/** A file built by hand: length prefix (the header's byte length unless given), header, body. */
function file(header: string, body: Uint8Array | number = 0, length?: number | bigint): Uint8Array {
  const json = text.encode(header);
  const data = typeof body === "number" ? new Uint8Array(body) : body;
  return concat(u64(length ?? json.length), json, data);
}

function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function f32(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function f64(bits: bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

/** Asserts `decoded` holds exactly `expected` (dtype, shape and every byte). */
function assertSameTensors(
  decoded: Record<string, SafetensorsTensor>,
  expected: Record<string, SafetensorsTensor>,
): void {
  assert.deepEqual(Object.keys(decoded).sort(), Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = decoded[name];
    assert.equal(got.dtype, want.dtype, name);
    assert.deepEqual(got.shape, want.shape, name);
    assert.equal(got.data.constructor, want.data.constructor, name);
    assert.deepEqual(bytesOf(got.data), bytesOf(want.data), name);
  }
}

/** Decodes `bytes` as "model.safetensors" and expects a FormatError matching `pattern`. */
function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, { source: "model.safetensors" }),
    (error: unknown) => {
      assert.ok(error instanceof FormatError, `expected FormatError, got ${error}`);
      assert.match(error.message, /^model\.safetensors: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

/** The header JSON of an encoded file, and its padded length. */
function headerOf(bytes: Uint8Array): { json: string; length: number } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { json: new TextDecoder().decode(bytes.subarray(8, 8 + length)), length };
}

// Every dtype with awkward values: NaN payloads, -0, subnormals, extremes.
const ALL_DTYPES: Record<string, SafetensorsTensor> = {
  f32: {
    dtype: "F32",
    shape: [2, 4],
    // quiet NaN with payload, signalling NaN, -0, smallest subnormal, -inf, inf, max, 1.5
    data: f32([
      0x7fc12345,
      0x7f800001,
      0x80000000,
      0x00000001,
      0xff800000,
      0x7f800000,
      0x7f7fffff,
      0x3fc00000,
    ]),
  },
  f64: {
    dtype: "F64",
    shape: [5],
    data: f64([
      0x7ff8000000000123n,
      0x7ff0000000000001n,
      0x8000000000000000n,
      1n,
      0x3ff8000000000000n,
    ]),
  },
  f16: { dtype: "F16", shape: [2, 2], data: Uint16Array.of(0x7c01, 0x8000, 0x0001, 0x3c00) },
  bf16: { dtype: "BF16", shape: [3], data: Uint16Array.of(0x7fc1, 0x8000, 0x3f80) },
  i8: { dtype: "I8", shape: [3], data: Int8Array.of(-128, 0, 127) },
  u8: { dtype: "U8", shape: [3], data: Uint8Array.of(0, 1, 255) },
  i16: { dtype: "I16", shape: [2], data: Int16Array.of(-32768, 32767) },
  u16: { dtype: "U16", shape: [2], data: Uint16Array.of(0, 65535) },
  i32: { dtype: "I32", shape: [1, 2], data: Int32Array.of(-2147483648, 2147483647) },
  u32: { dtype: "U32", shape: [2, 1], data: Uint32Array.of(0, 4294967295) },
  i64: { dtype: "I64", shape: [2], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n) },
  u64: { dtype: "U64", shape: [2], data: BigUint64Array.of(0n, 2n ** 64n - 1n) },
  mask: { dtype: "BOOL", shape: [4], data: Uint8Array.of(1, 0, 0, 1) },
  scalar: { dtype: "F32", shape: [], data: Float32Array.of(-2.5) },
  empty: { dtype: "F32", shape: [0], data: new Float32Array(0) },
  "empty 3d": { dtype: "I64", shape: [3, 0, 2], data: new BigInt64Array(0) },
};

// ---------------------------------------------------------------- round trip

Deno.test("safetensors: every dtype round-trips bit for bit (NaN payloads, -0, subnormals, empty, scalar)", () => {
  const bytes = encodeSafetensors(ALL_DTYPES, { metadata: { format: "pt", note: "ünïcode ✓" } });
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertSameTensors(tensors, ALL_DTYPES);
  assert.deepEqual(metadata, { format: "pt", note: "ünïcode ✓" });
  // Decoded data are aligned copies owning their whole buffer.
  for (const tensor of Object.values(tensors)) {
    assert.equal(tensor.data.byteOffset, 0);
    assert.equal(tensor.data.buffer.byteLength, tensor.data.byteLength);
    assert.notEqual(tensor.data.buffer, bytes.buffer);
  }
  // Narrowing on dtype gives typed access.
  const scalar = tensors.scalar;
  assert.ok(scalar.dtype === "F32");
  assert.equal(scalar.data[0], -2.5);
  assert.ok(Object.is(f32([0x80000000])[0], -0));
});

Deno.test("safetensors: data given as a view into a larger buffer is written from its own bytes", () => {
  const big = Float64Array.of(9, 1, 2, 3, 9);
  const view = big.subarray(1, 4);
  const { tensors } = decodeSafetensors(
    encodeSafetensors({ v: { dtype: "F64", shape: [3], data: view } }),
  );
  assert.deepEqual([...(tensors.v.data as Float64Array)], [1, 2, 3]);
});

Deno.test("safetensors: decoding a file without metadata gives an empty metadata object", () => {
  const { metadata } = decodeSafetensors(encodeSafetensors({ a: ALL_DTYPES.u8 }));
  assert.deepEqual(metadata, {});
});

// ---------------------------------------------------------------- layout of written files

Deno.test("safetensors: header is JSON padded with spaces to 8 bytes; offsets sorted, contiguous, covering the buffer", () => {
  const bytes = encodeSafetensors(ALL_DTYPES, { metadata: { z: "1", a: "2" } });
  const { json, length } = headerOf(bytes);
  assert.equal(length % 8, 0);
  assert.equal((8 + length) % 8, 0);
  const trimmed = json.trimEnd();
  assert.ok(length - trimmed.length < 8, "at most 7 padding bytes");
  assert.match(json.slice(trimmed.length), /^ *$/);
  const header = JSON.parse(json);
  // __metadata__ comes first and its keys are sorted.
  assert.equal(Object.keys(header)[0], "__metadata__");
  assert.deepEqual(Object.keys(header.__metadata__), ["a", "z"]);
  // Tensors: descending dtype alignment (the reference's dtype enum order), then name.
  const names = Object.keys(header).slice(1);
  assert.deepEqual(names, [
    "u64",
    "empty 3d",
    "i64",
    "f64",
    "empty",
    "f32",
    "scalar",
    "u32",
    "i32",
    "bf16",
    "f16",
    "u16",
    "i16",
    "i8",
    "u8",
    "mask",
  ]);
  let cursor = 0;
  for (const name of names) {
    const { dtype, shape, data_offsets: [begin, end] } = header[name];
    assert.equal(begin, cursor, name);
    assert.equal(dtype, ALL_DTYPES[name].dtype);
    assert.deepEqual(shape, ALL_DTYPES[name].shape);
    assert.equal(end - begin, ALL_DTYPES[name].data.byteLength);
    // Each tensor starts aligned to its element size (alignment-descending layout).
    assert.equal((8 + length + begin) % ALL_DTYPES[name].data.BYTES_PER_ELEMENT, 0, name);
    cursor = end;
  }
  assert.equal(8 + length + cursor, bytes.length);
});

Deno.test("safetensors: names sort by code point like the reference (not by UTF-16 unit)", () => {
  const one = (v: number): SafetensorsTensor => ({
    dtype: "U8",
    shape: [1],
    data: Uint8Array.of(v),
  });
  const bytes = encodeSafetensors({ "😀": one(1), "\uE000": one(2), b: one(3), a: one(4) });
  assert.deepEqual(Object.keys(JSON.parse(headerOf(bytes).json)), ["a", "b", "\uE000", "😀"]);
});

Deno.test("safetensors: output is byte-identical to the reference implementation's test vectors", () => {
  const data = Float32Array.of(0, 1, 2, 3, 4, 5);
  // One F32 tensor "attn.0" of shape [1, 2, 3]: a 64-byte header needs no padding.
  const attn = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(attn.length, 64);
  assert.deepEqual(
    encodeSafetensors({ "attn.0": { dtype: "F32", shape: [1, 2, 3], data } }),
    file(attn, bytesOf(data)),
  );
  // Same with "attn0" [1, 1, 2, 3]: 65 bytes of JSON padded with 7 spaces to 72.
  const attn0 = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  assert.deepEqual(
    encodeSafetensors({ attn0: { dtype: "F32", shape: [1, 1, 2, 3], data } }),
    file(attn0 + " ".repeat(7), bytesOf(data)),
  );
  // No tensors: "{}" plus 6 spaces; with metadata: 35 bytes plus 5 spaces.
  assert.deepEqual(encodeSafetensors({}), concat(u64(8), text.encode("{}      ")));
  assert.deepEqual(
    encodeSafetensors({}, { metadata: { framework: "pt" } }),
    file('{"__metadata__":{"framework":"pt"}}     '),
  );
});

Deno.test("safetensors: the reference's documented hand-written file decodes", () => {
  // From the reference documentation: length 60 (0x3c), an unpadded header, 16 zero bytes.
  const header = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
  const doc = concat(
    Uint8Array.of(0x3c, 0, 0, 0, 0, 0, 0, 0),
    text.encode(header),
    new Uint8Array(16),
  );
  const { tensors } = decodeSafetensors(doc);
  assert.equal(tensors.test.dtype, "I32");
  assert.deepEqual(tensors.test.shape, [2, 2]);
  assert.deepEqual(tensors.test.data, new Int32Array(4));
  // Same layout with real values, little-endian, row-major.
  const body = Uint8Array.of(
    1,
    0,
    0,
    0,
    0xfe,
    0xff,
    0xff,
    0xff,
    3,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0x7f,
  );
  const decoded = decodeSafetensors(file(header, body)).tensors.test;
  assert.deepEqual(decoded.data, Int32Array.of(1, -2, 3, 2147483647));
});

Deno.test("safetensors: reader accepts layouts other writers produce", () => {
  // Offsets out of key order, whitespace, an extra field, escapes, null metadata, empty tensors sharing an offset.
  const header = ` { "b" : {"shape":[1],"dtype":"U8","data_offsets":[1,2],"extra":{"x":[1.5,true]}},
    "__metadata__": null, "a\\u00e9\\n": {"dtype":"U8","shape":[1],"data_offsets":[0,1]},
    "e1": {"dtype":"F64","shape":[0],"data_offsets":[2,2]}, "e2": {"dtype":"F32","shape":[2,0],"data_offsets":[2,2]} }\t\r\n`;
  const { tensors, metadata } = decodeSafetensors(file(header, Uint8Array.of(7, 8)));
  assert.deepEqual(Object.keys(tensors), ["a\u00e9\n", "b", "e1", "e2"]);
  assert.deepEqual([tensors["a\u00e9\n"].data[0], tensors.b.data[0]], [7, 8]);
  assert.deepEqual(metadata, {});
});

Deno.test("safetensors: a tensor named __proto__ is an ordinary entry", () => {
  const header = '{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
  const { tensors } = decodeSafetensors(file(header, Uint8Array.of(5)));
  assert.equal(Object.getPrototypeOf(tensors), Object.prototype);
  assert.deepEqual(Object.keys(tensors), ["__proto__"]);
  const again = decodeSafetensors(encodeSafetensors(tensors)).tensors;
  assert.deepEqual(Object.keys(again), ["__proto__"]);
});

// ---------------------------------------------------------------- malformed files

const U8 = (offsets: string, shape = "[1]") =>
  `{"dtype":"U8","shape":${shape},"data_offsets":${offsets}}`;

Deno.test("safetensors: bad length prefix or header bytes are FormatErrors", () => {
  rejects(new Uint8Array(5), /file is 5 bytes, shorter than the 8-byte header length prefix/);
  rejects(new Uint8Array(0), /file is 0 bytes/);
  rejects(
    file("{}", 0, 100_000_001),
    /header length 100000001 is more than the 100000000 bytes allowed/,
  );
  rejects(file("{}", 0, 2n ** 64n - 1n), /header length 18446744073709551615 is more than/);
  rejects(file("{}", 0, 1000), /header length 1000 runs past the end of the file \(10 bytes\)/);
  rejects(concat(u64(4), Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)), /header is not valid UTF-8/);
  rejects(file("\ufeff{}"), /header is not valid JSON: expected a JSON value at character 0/);
  rejects(file('{"a":'), /header is not valid JSON: unexpected end of input at character 5/);
  rejects(file("{} x"), /not valid JSON: unexpected text after the JSON value at character 3/);
  rejects(file("{}\0\0"), /not valid JSON: unexpected text/);
  rejects(file('{"__metadata__":{},}'), /not valid JSON: expected a string key at character 19/);
  rejects(file('{"a\tb":1}'), /not valid JSON: control character inside a string/);
  rejects(file('{"a\\x":1}'), /not valid JSON: invalid escape sequence/);
  rejects(file('{"\\ud800":1}'), /not valid JSON: unpaired surrogate escape/);
  rejects(file('{"w":{"x":01}}'), /not valid JSON: expected "," at character 11/);
  rejects(file('{"w":{"x":-}}'), /not valid JSON: invalid number at character 10/);
  rejects(
    file(`{"a":{"x":${"[".repeat(100)}${"]".repeat(100)}}}`),
    /not valid JSON: nesting deeper than 64/,
  );
  rejects(file("[]"), /header must be a JSON object, got \[\]/);
  rejects(file('"x"'), /header must be a JSON object, got "x"/);
  rejects(file("null"), /header must be a JSON object, got null/);
  rejects(file(""), /not valid JSON: unexpected end of input/);
});

Deno.test("safetensors: bad tensor entries are FormatErrors naming the tensor", () => {
  rejects(
    file('{"w":[1]}'),
    /tensor "w": expected an object with dtype, shape and data_offsets, got \[1\]/,
  );
  rejects(
    file('{"w":{"shape":[],"data_offsets":[0,0]}}'),
    /tensor "w": missing dtype/,
  );
  rejects(
    file('{"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}', 1),
    /tensor "w": unknown dtype "F8_E4M3" \(supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64\)/,
  );
  rejects(
    file('{"w":{"dtype":"float32","shape":[1],"data_offsets":[0,4]}}', 4),
    /unknown dtype "float32"/,
  );
  rejects(
    file('{"w":{"dtype":"constructor","shape":[1],"data_offsets":[0,4]}}', 4),
    /unknown dtype/,
  );
  rejects(file(`{"w":${U8("[0,1]", '"1"')}}`, 1), /tensor "w": shape must be an array, got "1"/);
  rejects(
    file(`{"w":${U8("[0,1]", "[-1]")}}`, 1),
    /tensor "w": shape\[0\] must be a non-negative integer below 2\^53, got -1/,
  );
  rejects(
    file(`{"w":${U8("[0,1]", "[1,2.5]")}}`, 1),
    /shape\[1\] must be a non-negative integer below 2\^53, got 2\.5/,
  );
  rejects(file(`{"w":${U8("[0,1]", "[1e0]")}}`, 1), /shape\[0\] must be .*, got 1e0/);
  rejects(
    file(`{"w":${U8("[0,1]", "[9007199254740992]")}}`, 1),
    /shape\[0\] .* got 9007199254740992/,
  );
  rejects(file(`{"w":${U8("[0,1]", `[${"9".repeat(400)}]`)}}`, 1), /shape\[0\] .* got 9{60}…$/);
  rejects(file(`{"w":${U8("[0,1]", '["1"]')}}`, 1), /shape\[0\] .* got "1"/);
  rejects(file(`{"w":${U8('"0,1"')}}`, 1), /tensor "w": data_offsets must be an array, got "0,1"/);
  rejects(
    file(`{"w":${U8("[1]")}}`, 1),
    /tensor "w": data_offsets must be \[begin, end\], got \[1\]/,
  );
  rejects(
    file(`{"w":${U8("[0,1,1]")}}`, 1),
    /data_offsets must be \[begin, end\], got \[0, 1, 1\]/,
  );
  rejects(
    file(`{"w":${U8("[-1,0]")}}`, 1),
    /data_offsets\[0\] must be a non-negative integer below 2\^53, got -1/,
  );
  rejects(file(`{"w":${U8("[0,1.0]")}}`, 1), /data_offsets\[1\] .* got 1\.0/);
  rejects(
    file(`{"w":${U8("[1,0]")}}`, 1),
    /tensor "w": data_offsets \[1, 0\] end before they begin/,
  );
  rejects(
    file(`{"w":${U8("[0,5]")}}`, 4),
    /tensor "w": data_offsets \[0, 5\] run past the end of the 4-byte data buffer/,
  );
  rejects(file(`{"w":${U8("[0,4294967296]")}}`, 1), /run past the end of the 1-byte data buffer/);
});

Deno.test("safetensors: missing fields are named; ignored fields are still checked", () => {
  rejects(file('{"w":{"dtype":"U8"}}'), /tensor "w": missing shape, data_offsets/);
  rejects(file('{"w":{}}'), /tensor "w": missing dtype, shape, data_offsets/);
  rejects(
    file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":{"a":1,"a":2}}}', 1),
    /not valid JSON: duplicate key "a"/,
  );
  rejects(
    file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[1,]}}', 1),
    /not valid JSON: expected a JSON value at character 59/,
  );
  rejects(
    file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}', 1),
    /unexpected end of input/,
  );
  // "-0" is an integer literal for zero (serde reads it so too).
  const { tensors } = decodeSafetensors(
    file('{"e":{"dtype":"U8","shape":[-0],"data_offsets":[-0,0]}}'),
  );
  assert.ok(Object.is(tensors.e.shape[0], 0));
});

Deno.test("safetensors: byte size must match dtype and shape exactly", () => {
  const header = '{"w1":{"dtype":"F32","shape":[5,5],"data_offsets":[0,99]}}';
  assert.throws(
    () => decodeSafetensors(file(header, 99), { source: "model.safetensors" }),
    (error: unknown) =>
      error instanceof FormatError &&
      error.message ===
        'model.safetensors: tensor "w1": data_offsets [0, 99] hold 99 bytes but F32 [5, 5] needs 100',
  );
  rejects(
    file('{"w":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,16]}}', 16),
    /tensor "w": data_offsets \[0, 16\] hold 16 bytes but F32 \[1000000000, 1000000000\] needs more than 2\^53/,
  );
  rejects(
    file('{"s":{"dtype":"I64","shape":[],"data_offsets":[0,4]}}', 4),
    /hold 4 bytes but I64 \[\] needs 8/,
  );
  rejects(file(`{"z":${U8("[0,1]", "[3,0]")}}`, 1), /hold 1 bytes but U8 \[3, 0\] needs 0/);
});

Deno.test("safetensors: tensors must tile the data buffer (no overlap, no gap, nothing left over)", () => {
  rejects(
    file(`{"a":${U8("[0,8]", "[8]")},"b":${U8("[4,12]", "[8]")}}`, 12),
    /tensor "b" \(data_offsets \[4, 12\]\) overlaps tensor "a" \(data_offsets \[0, 8\]\)/,
  );
  rejects(file(`{"a":${U8("[0,4]", "[4]")},"b":${U8("[0,4]", "[4]")}}`, 4), /overlaps/);
  rejects(
    file(`{"a":${U8("[0,8]", "[8]")},"e":${U8("[4,4]", "[0]")}}`, 8),
    /tensor "e" .* overlaps tensor "a"/,
  );
  rejects(
    file(`{"a":${U8("[0,4]", "[4]")},"b":${U8("[8,12]", "[4]")}}`, 12),
    /4-byte gap in the data buffer before tensor "b" \(data_offsets \[8, 12\]\)/,
  );
  rejects(
    file(`{"a":${U8("[4,8]", "[4]")}}`, 8),
    /4-byte gap in the data buffer before tensor "a"/,
  );
  rejects(
    file(`{"a":${U8("[0,4]", "[4]")}}`, 8),
    /data buffer holds 8 bytes but the tensors cover only the first 4/,
  );
  rejects(file("{}", 3), /data buffer holds 3 bytes but the tensors cover only the first 0/);
});

Deno.test("safetensors: metadata must be strings; duplicate keys are refused anywhere", () => {
  rejects(file('{"__metadata__":{"k":1}}'), /"__metadata__" value of "k" must be a string, got 1/);
  rejects(
    file('{"__metadata__":["a"]}'),
    /"__metadata__" must be an object of strings, got \["a"\]/,
  );
  rejects(file('{"__metadata__":"a"}'), /"__metadata__" must be an object of strings/);
  rejects(
    file(`{"w":${U8("[0,1]")},"w":${U8("[0,1]")}}`, 1),
    /not valid JSON: duplicate key "w" at character 53/,
  );
  rejects(
    file('{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1),
    /duplicate key "dtype"/,
  );
  rejects(file('{"__metadata__":{"a":"1","a":"2"}}'), /duplicate key "a"/);
  rejects(file('{"__metadata__":{},"__metadata__":{}}'), /duplicate key "__metadata__"/);
});

Deno.test("safetensors: BOOL bytes must be 0 or 1", () => {
  rejects(
    file('{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}', Uint8Array.of(1, 0, 2)),
    /tensor "m": BOOL element 2 is 2, not 0 or 1/,
  );
});

Deno.test("safetensors: error messages stay short and name a default source", () => {
  const long = "x".repeat(10_000);
  assert.throws(
    () => decodeSafetensors(file(`{"${long}":1}`)),
    (error: unknown) =>
      error instanceof FormatError && error.message.startsWith('safetensors data: tensor "xxx') &&
      error.message.length < 200,
  );
});

// ---------------------------------------------------------------- encoder input checks

Deno.test("safetensors: encoder refuses inconsistent tensors with the matching error class", () => {
  const enc = (tensor: unknown, name = "w") => () =>
    encodeSafetensors({ [name]: tensor as SafetensorsTensor });
  assert.throws(
    enc({ dtype: "F32", shape: [2], data: Float64Array.of(1, 2) }),
    (e: unknown) =>
      e instanceof DTypeError &&
      /tensor "w": F32 data must be a Float32Array, got Float64Array/.test(e.message),
  );
  assert.throws(enc({ dtype: "I8", shape: [1], data: Uint8Array.of(1) }), DTypeError);
  assert.throws(
    enc({ dtype: "F8", shape: [1], data: Uint8Array.of(1) }),
    (e: unknown) => e instanceof DTypeError && /unknown dtype "F8"/.test(e.message),
  );
  assert.throws(
    enc({ dtype: "F32", shape: [2, 2], data: new Float32Array(3) }),
    (e: unknown) =>
      e instanceof ShapeError &&
      /tensor "w": shape \[2, 2\] has 4 elements but data holds 3/.test(e.message),
  );
  assert.throws(enc({ dtype: "F32", shape: [-1], data: new Float32Array(1) }), ShapeError);
  assert.throws(enc({ dtype: "F32", shape: [1.5], data: new Float32Array(1) }), ShapeError);
  assert.throws(enc({ dtype: "F32", shape: "1", data: new Float32Array(1) }), ShapeError);
  assert.throws(
    enc({ dtype: "BOOL", shape: [2], data: Uint8Array.of(1, 3) }),
    /BOOL element 1 is 3/,
  );
  assert.throws(
    enc(null),
    (e: unknown) =>
      e instanceof InklingError && /expected \{ dtype, shape, data \}/.test(e.message),
  );
  assert.throws(enc(ALL_DTYPES.u8, "__metadata__"), /reserved/);
  assert.throws(enc(ALL_DTYPES.u8, "bad\ud800"), /lone surrogate/);
  assert.throws(
    () => encodeSafetensors({}, { metadata: { a: 1 as unknown as string } }),
    (e: unknown) =>
      e instanceof InklingError && /metadata "a" must be a string, got 1/.test(e.message),
  );
});

// ---------------------------------------------------------------- files

Deno.test("safetensors: save and load through a file, atomically", async () => {
  const dir = await Deno.makeTempDir({ prefix: "inkling_safetensors_" });
  try {
    const path = `${dir}/model.safetensors`;
    await saveSafetensors(path, ALL_DTYPES, { metadata: { epoch: "3" } });
    const loaded = await loadSafetensors(path);
    assertSameTensors(loaded.tensors, ALL_DTYPES);
    assert.deepEqual(loaded.metadata, { epoch: "3" });
    const listing = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(listing(), ["model.safetensors"]);

    // A failed encode leaves the old file as it was and no temporary file.
    const before = await Deno.readFile(path);
    await assert.rejects(
      saveSafetensors(path, { w: { dtype: "F32", shape: [3], data: new Float32Array(2) } }),
      ShapeError,
    );
    assert.deepEqual(await Deno.readFile(path), before);
    assert.deepEqual(listing(), ["model.safetensors"]);

    // A failed rename (the target is a directory) cleans up its temporary file.
    await Deno.mkdir(`${dir}/sub`);
    await assert.rejects(saveSafetensors(`${dir}/sub`, ALL_DTYPES));
    assert.deepEqual(listing(), ["model.safetensors", "sub"]);

    // Load errors name the file.
    await assert.rejects(
      loadSafetensors(`${dir}/missing.safetensors`),
      (e: unknown) =>
        e instanceof FormatError && e.message.startsWith(`${dir}/missing.safetensors: cannot read`),
    );
    await assert.rejects(
      loadSafetensors(path, { maxBytes: 100 }),
      (e: unknown) => e instanceof FormatError && /is more than the 100 allowed/.test(e.message),
    );
    await Deno.writeFile(path, before.subarray(0, before.length - 1));
    await assert.rejects(loadSafetensors(path), (e: unknown) =>
      e instanceof FormatError &&
      e.message ===
        `${path}: tensor "mask": data_offsets [152, 156] run past the end of the 155-byte data buffer`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
