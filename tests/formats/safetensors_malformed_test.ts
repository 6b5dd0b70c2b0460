/** Safetensors decoding of malformed files: every defect is a FormatError naming the file. */

import assert from "node:assert/strict";
import { decodeSafetensors } from "../../formats/safetensors/mod.ts";
import { FormatError } from "../../autograd/errors.ts";
import { concat, file, rejects, u64 } from "./safetensors_helpers.ts";

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
