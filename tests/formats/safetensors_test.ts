/** Safetensors round trips, the layout of written files, encoder input checks and file I/O. */

import assert from "node:assert/strict";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  type SafetensorsTensor,
  saveSafetensors,
} from "../../formats/safetensors/mod.ts";
import { DTypeError, FormatError, InklingError, ShapeError } from "../../autograd/errors.ts";
import {
  ALL_DTYPES,
  assertSameTensors,
  bytesOf,
  concat,
  f32,
  file,
  headerOf,
  text,
  u64,
} from "./safetensors_helpers.ts";

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
