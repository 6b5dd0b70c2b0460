/** IDX format: round trips of every element type, header layout, gzip by magic, size checks. */

import assert from "node:assert/strict";
import { DTypeError, FormatError, ShapeError } from "../../autograd/errors.ts";
import { encodeIdx, type IdxWritable, parseIdx, readIdx, writeIdx } from "../../formats/idx/mod.ts";
import { compress } from "../../formats/decompress.ts";

const ALL_TYPES: IdxWritable[] = [
  { shape: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => (i * 37) & 255) },
  { shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { shape: [2, 3], data: Int16Array.from([-32768, -2, 0, 1, 300, 32767]) },
  { shape: [3], data: Int32Array.from([-2147483648, 0, 2147483647]) },
  { shape: [2, 2], data: Float32Array.from([0.5, -1.25, 3e38, -0]) },
  { shape: [1, 3], data: Float64Array.from([Math.PI, -1e-300, Infinity]) },
  { shape: [0, 28, 28], data: new Uint8Array(0) },
];

Deno.test("encodeIdx/parseIdx round-trip every element type, raw and gzip", async () => {
  const types = ["ubyte", "byte", "short", "int", "float", "double", "ubyte"];
  for (const gzip of [false, true]) {
    for (const [i, array] of ALL_TYPES.entries()) {
      const bytes = await encodeIdx(array, { gzip });
      assert.deepEqual([bytes[0], bytes[1]], gzip ? [0x1f, 0x8b] : [0, 0]);
      const back = await parseIdx(bytes);
      assert.deepEqual({ type: back.type, shape: back.shape, data: back.data }, {
        type: types[i],
        shape: array.shape,
        data: array.data,
      });
    }
  }
});

Deno.test("encodeIdx: header layout is big-endian magic + dims, data big-endian", async () => {
  const bytes = await encodeIdx({ shape: [2, 1], data: Int16Array.from([1, -2]) });
  assert.deepEqual([...bytes], [0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0xff, 0xfe]);
  const ubyte = await encodeIdx({ shape: [60000, 28, 28], data: new Uint8Array(60000 * 784) });
  assert.deepEqual([...ubyte.subarray(0, 16)], [
    0,
    0,
    8,
    3,
    0,
    0,
    0xea,
    0x60,
    0,
    0,
    0,
    28,
    0,
    0,
    0,
    28,
  ]);
});

Deno.test("readIdx recognises gzip by its magic bytes, not the file name; writeIdx is atomic", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeIdx(`${dir}/plain-name`, ALL_TYPES[0], { gzip: true });
    await writeIdx(`${dir}/raw.gz`, ALL_TYPES[0]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "plain-name",
      "raw.gz",
    ]);
    assert.deepEqual((await readIdx(`${dir}/plain-name`)).data, ALL_TYPES[0].data);
    assert.deepEqual((await readIdx(`${dir}/raw.gz`)).data, ALL_TYPES[0].data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseIdx: dims are checked against the bytes before allocating", async () => {
  const header = (type: number, dims: number[]) => {
    const out = new Uint8Array(4 + 4 * dims.length);
    out.set([0, 0, type, dims.length]);
    dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d));
    return out;
  };
  const lying = new Uint8Array([...header(8, [60000, 28, 28]), 1, 2, 3]);
  await assert.rejects(
    parseIdx(lying, { source: "l.idx" }),
    /^FormatError: l\.idx: dimensions 60000x28x28 of ubyte need 47040016 bytes \(header included\) but the file has 19/,
  );
  const huge = header(0x0e, [0xffffffff, 0xffffffff, 0xffffffff]);
  await assert.rejects(parseIdx(huge, { source: "h.idx" }), FormatError);
  await assert.rejects(
    parseIdx(await compress(huge, "gzip"), { source: "h.gz" }),
    /h\.gz \(gzip\): dimensions .* more than the \d+ allowed/,
  );
  await assert.rejects(
    parseIdx(new Uint8Array([0, 0, 0x0a, 1, 0, 0, 0, 0]), { source: "t.idx" }),
    /unknown IDX element type 0x0a/,
  );
  await assert.rejects(
    parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0]), { source: "s.idx" }),
    /truncated IDX header/,
  );
  await assert.rejects(
    parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]), { source: "x.idx" }),
    /need 9 bytes .* has 10/,
  );
  await assert.rejects(
    parseIdx(new Uint8Array([1, 2, 3, 4]), { source: "n.idx" }),
    /n\.idx is not an IDX file/,
  );
  const cut = await encodeIdx(ALL_TYPES[0], { gzip: true });
  await assert.rejects(
    parseIdx(cut.subarray(0, cut.length - 4), { source: "c.gz" }),
    /c\.gz \(gzip\): corrupt gzip data/,
  );
});

Deno.test("encodeIdx refuses mismatched shapes and types", async () => {
  await assert.rejects(encodeIdx({ shape: [2, 2], data: new Uint8Array(3) }), ShapeError);
  await assert.rejects(
    encodeIdx({ type: "float", shape: [3], data: new Uint8Array(3) }),
    DTypeError,
  );
  await assert.rejects(encodeIdx({ shape: [], data: new Uint8Array(1) }), ShapeError);
});
