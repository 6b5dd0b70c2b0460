import assert from "node:assert/strict";
import { DTypeError, InklingError, ShapeError } from "../../autograd/errors.ts";
import { decompress } from "../../formats/decompress.ts";
import { encodeMat, type MatWritable, parseMat, readMat, writeMat } from "../../formats/mat/mod.ts";

Deno.test("encodeMat: header and tag layout follow the level 5 spec", async () => {
  const bytes = await encodeMat({
    x: { shape: [2, 3], data: Float64Array.from([0, 1, 2, 3, 4, 5]) },
  });
  const view = new DataView(bytes.buffer);
  assert.match(new TextDecoder().decode(bytes.subarray(0, 116)), /^MATLAB 5\.0 MAT-file.* +$/);
  assert.deepEqual([...bytes.subarray(116, 124)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(view.getUint16(124, true), 0x0100);
  assert.equal(String.fromCharCode(bytes[126], bytes[127]), "IM");
  const words = (at: number, n: number) =>
    Array.from({ length: n }, (_, i) => view.getUint32(at + 4 * i, true));
  assert.deepEqual(words(128, 2), [14, bytes.length - 136]); // miMATRIX, size of the rest
  assert.equal((bytes.length - 136) % 8, 0);
  assert.deepEqual(words(136, 4), [6, 8, 6, 0]); // miUINT32 flags: mxDOUBLE_CLASS, no flag bits
  assert.deepEqual(words(152, 4), [5, 8, 2, 3]); // miINT32 dims 2x3
  assert.deepEqual(words(168, 1), [(1 << 16) | 1]); // small element: 1 byte of miINT8
  assert.equal(bytes[172], "x".charCodeAt(0));
  assert.deepEqual(words(176, 2), [9, 48]); // miDOUBLE, 6 values
  const stored = Array.from({ length: 6 }, (_, i) => view.getFloat64(184 + 8 * i, true));
  assert.deepEqual(stored, [0, 3, 1, 4, 2, 5]); // column-major on disk
  assert.equal(bytes.length, 184 + 48);
  const compressed = await encodeMat({
    x: { shape: [2, 3], data: Float64Array.from([0, 1, 2, 3, 4, 5]) },
  }, { compress: true });
  const cview = new DataView(compressed.buffer);
  assert.deepEqual([cview.getUint32(128, true), cview.getUint32(132, true)], [
    15,
    compressed.length - 136,
  ]);
  assert.equal(compressed[136], 0x78); // zlib header
  assert.deepEqual(
    await decompress(compressed.subarray(136), { format: "deflate", maxBytes: 1000, what: "t" }),
    bytes.subarray(128),
  );
  const be = await encodeMat({ x: { shape: [1, 1], data: new Float64Array([1]) } }, {
    littleEndian: false,
  });
  assert.equal(String.fromCharCode(be[126], be[127]), "MI");
  assert.equal(new DataView(be.buffer).getUint16(124, false), 0x0100);
});

const ROUND_TRIP: Record<string, MatWritable> = {
  d: { shape: [3, 5], data: Float64Array.from({ length: 15 }, (_, i) => i * 1.5 - 7) },
  s: { shape: [5, 3], data: Float32Array.from({ length: 15 }, (_, i) => i / 8) },
  i8: { shape: [2, 2], data: Int8Array.from([-128, -1, 0, 127]) },
  u8: { shape: [7, 1], data: Uint8Array.from([0, 1, 2, 3, 250, 254, 255]) },
  i16: { shape: [1, 3], data: Int16Array.from([-32768, 0, 32767]) },
  u16: { shape: [1, 1], data: Uint16Array.from([65535]) },
  i32: { shape: [2, 3], data: Int32Array.from([-2147483648, -1, 0, 1, 2, 2147483647]) },
  u32: { shape: [3, 1], data: Uint32Array.from([0, 1, 4294967295]) },
  i64: {
    shape: [1, 3],
    data: BigInt64Array.from([-9223372036854775808n, 0n, 9223372036854775807n]),
  },
  u64: { shape: [3, 1], data: BigUint64Array.from([0n, 1n, 18446744073709551615n]) },
  flags: { class: "logical", shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
  txt: { shape: [2, 3], data: "abcdéf" },
  z: {
    shape: [2, 2],
    data: Float32Array.from([1, 2, 3, 4]),
    imag: Float32Array.from([-1, 0, 0.5, 9]),
  },
  emoji: { shape: [1, 3], data: "a😀" }, // a surrogate pair: MATLAB chars are UTF-16 code units
  cube: { shape: [2, 3, 4], data: Float64Array.from({ length: 24 }, (_, i) => i) },
  odd: { shape: [2, 1, 3, 1], data: Int32Array.from([1, 2, 3, 4, 5, 6]) },
  empty: { shape: [0, 5], data: new Float64Array(0) },
  empty3: { shape: [2, 0, 3], data: new Uint8Array(0) },
  a_long_variable_name_of_40_characters_xx: { shape: [1, 1], data: new Float64Array([Math.PI]) },
};

Deno.test("encodeMat/parseMat round-trip every class, compressed or not, both byte orders", async () => {
  for (const compress of [false, true]) {
    for (const littleEndian of [true, false]) {
      const vars = await parseMat(await encodeMat(ROUND_TRIP, { compress, littleEndian }));
      assert.deepEqual([...vars.keys()], Object.keys(ROUND_TRIP));
      for (const [name, input] of Object.entries(ROUND_TRIP)) {
        const v = vars.get(name)!;
        const cls = input.class ?? (typeof input.data === "string" ? "char" : v.class);
        const imag = "imag" in v ? v.imag : undefined;
        assert.deepEqual(
          { class: v.class, shape: v.shape, data: v.data, imag },
          { class: cls, shape: input.shape, data: input.data, imag: input.imag },
          name,
        );
      }
    }
  }
});

Deno.test("writeMat writes atomically and readMat reads it back; 1-D shapes become row vectors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/w.mat`;
    await writeMat(path, new Map([["v", { shape: [4], data: Float32Array.from([1, 2, 3, 4]) }]]), {
      compress: true,
    });
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["w.mat"]);
    const v = (await readMat(path)).get("v")!;
    assert.deepEqual({ class: v.class, shape: v.shape, data: v.data }, {
      class: "single",
      shape: [1, 4],
      data: Float32Array.from([1, 2, 3, 4]),
    });
    // A value read from a file can be written back unchanged.
    assert.ok(v.class !== "cell" && v.class !== "struct");
    const again = await parseMat(await encodeMat({ v }));
    assert.deepEqual(again.get("v")!.data, v.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodeMat refuses bad names, shapes and classes with Inkling errors", async () => {
  const data = new Float64Array(6);
  await assert.rejects(
    encodeMat({ "1x": { shape: [2, 3], data } }),
    (e: Error) => e instanceof InklingError && /not a MATLAB identifier/.test(e.message),
  );
  await assert.rejects(encodeMat({ x: { shape: [4, 2], data } }), ShapeError);
  await assert.rejects(encodeMat({ x: { shape: [2, -3], data } }), ShapeError);
  await assert.rejects(encodeMat({ x: { class: "single", shape: [2, 3], data } }), DTypeError);
  await assert.rejects(encodeMat({ x: { class: "logical", shape: [2, 3], data } }), DTypeError);
  await assert.rejects(encodeMat({ x: { class: "int8", shape: [1, 2], data: "ab" } }), DTypeError);
  const imag = new Float32Array(6);
  await assert.rejects(encodeMat({ x: { shape: [2, 3], data, imag } }), DTypeError);
  await assert.rejects(
    encodeMat({ x: { shape: [1, 2], data: "ab", imag } }),
    /class char cannot be complex/,
  );
});
