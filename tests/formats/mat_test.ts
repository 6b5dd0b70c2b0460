import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { compress } from "../../formats/decompress.ts";
import { encodeMat, type MatArray, parseMat, readMat } from "../../formats/mat/mod.ts";
import { elements, matFile, matrix, numbers } from "./mat_builder.ts";
import { FIXTURES_DIR } from "../shared_data.ts";

const FIXTURES = `${FIXTURES_DIR}/mat/`;

interface Expected {
  dtype: string;
  shape: number[];
  first?: number | boolean;
  last?: number | boolean;
  sum?: number;
  at_1_2?: number | null;
}

const CLASS_OF_DTYPE: Record<string, string> = {
  float64: "double",
  float32: "single",
  int32: "int32",
  uint8: "uint8",
  int16: "int16",
  uint16: "uint16",
  bool: "logical",
};

async function expectedJson(): Promise<Record<string, Record<string, Expected> | string>> {
  return JSON.parse(await Deno.readTextFile(`${FIXTURES}expected.json`));
}

function values(array: MatArray): number[] {
  assert.ok(
    typeof array.data !== "string" && !Array.isArray(array.data),
    `${array.class} is not numeric`,
  );
  return Array.from(array.data as ArrayLike<number | bigint>, Number);
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function close(actual: number, expected: number, what: string): void {
  // expected.json rounds to 6 decimals.
  assert.ok(
    Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

for (const base of ["nist36_like_v5", "mixed_types_v5"]) {
  for (const file of [`${base}.mat`, `${base}_compressed.mat`]) {
    Deno.test(`readMat ${file} matches expected.json`, async () => {
      const expected = (await expectedJson())[`${base}.mat`] as Record<string, Expected>;
      const vars = await readMat(FIXTURES + file);
      for (const [name, e] of Object.entries(expected)) {
        const v = vars.get(name);
        assert.ok(v, `${file}: variable ${name} missing`);
        assert.equal(v.name, name);
        assert.equal(v.class, CLASS_OF_DTYPE[e.dtype], `${name} class`);
        assert.deepEqual(v.shape, e.shape, `${name} shape`);
        const xs = values(v);
        assert.equal(xs.length, e.shape.reduce((a, b) => a * b, 1));
        if (e.first !== undefined) close(xs[0], Number(e.first), `${name} first`);
        if (e.last !== undefined) close(xs[xs.length - 1], Number(e.last), `${name} last`);
        if (e.sum !== undefined) close(xs.reduce((a, b) => a + b, 0), e.sum, `${name} sum`);
        if (e.at_1_2 !== undefined && e.at_1_2 !== null) {
          close(xs[1 * e.shape[1] + 2], e.at_1_2, `${name} at_1_2`);
        }
      }
    });
  }
  Deno.test(`${base}: compressed and uncompressed files read the same`, async () => {
    assert.deepEqual(
      await readMat(`${FIXTURES}${base}_compressed.mat`),
      await readMat(`${FIXTURES}${base}.mat`),
    );
  });
}

Deno.test("mixed_types_v5: scalar, char, logical, 3-D layout, complex, cell, struct", async () => {
  for (const file of ["mixed_types_v5.mat", "mixed_types_v5_compressed.mat"]) {
    const vars = await readMat(FIXTURES + file);
    const get = (name: string) => vars.get(name)!;
    assert.deepEqual(values(get("f64_scalar")), [2.5]);
    assert.deepEqual({ class: get("text").class, data: get("text").data }, {
      class: "char",
      data: "NIST36",
    });
    assert.deepEqual(values(get("logical")), [1, 0, 1]);
    assert.ok(get("logical").data instanceof Uint8Array);
    // numpy's arange(24).reshape(2, 3, 4): row-major element k holds k.
    assert.deepEqual(values(get("cube")), Array.from({ length: 24 }, (_, k) => k));
    assert.deepEqual(values(get("i32")), [-3, 2147483647, 0, -2147483648]);
    const cplx = get("cplx");
    assert.ok(cplx.class === "double" && cplx.imag);
    assert.deepEqual([...cplx.data], [1, 3]);
    assert.deepEqual([...cplx.imag], [2, -4]);
    const cell = get("cellvar");
    assert.ok(cell.class === "cell");
    assert.deepEqual(cell.shape, [1, 2]);
    assert.deepEqual(values(cell.data[0]), [1]);
    assert.equal(cell.data[1].data, "x");
    const struct = get("structvar");
    assert.ok(struct.class === "struct");
    assert.deepEqual(struct.fields, ["a", "b"]);
    assert.deepEqual(values(struct.data[0].get("a")!), [1]);
    assert.equal(struct.data[0].get("b")!.data, "y");
  }
});

Deno.test("v7.3 and v4 files are refused with what they are and how to re-save them", async () => {
  await assert.rejects(readMat(`${FIXTURES}matlab_v73.mat`), (error: Error) => {
    assert.ok(error instanceof FormatError);
    assert.match(error.message, /matlab_v73\.mat is a MATLAB v7\.3 MAT-file \(an HDF5 container\)/);
    assert.match(error.message, /save\(filename, '-v7'\)/);
    assert.match(error.message, /scipy\.io\.savemat/);
    return true;
  });
  await assert.rejects(readMat(`${FIXTURES}legacy_v4.mat`), (error: Error) => {
    assert.ok(error instanceof FormatError);
    assert.match(error.message, /legacy_v4\.mat is a MAT v4 file/);
    assert.match(error.message, /save\(filename, '-v7'\)/);
    assert.match(error.message, /scipy\.io\.savemat\(out, scipy\.io\.loadmat\(filename\)\)/);
    return true;
  });
});

Deno.test("variables option reads only the named variables and names missing ones", async () => {
  const file = `${FIXTURES}nist36_like_v5_compressed.mat`;
  const some = await readMat(file, { variables: ["valid_labels", "train_labels"] });
  assert.deepEqual([...some.keys()], ["train_labels", "valid_labels"]);
  assert.deepEqual(some.get("valid_labels")!.shape, [36, 36]);
  await assert.rejects(readMat(file, { variables: ["nope"] }), (error: Error) => {
    assert.ok(error instanceof FormatError);
    assert.match(
      error.message,
      /no variable 'nope' \(the file holds 'train_data', 'train_labels', 'valid_data', 'valid_labels'\)/,
    );
    return true;
  });
});

Deno.test("a skipped compressed variable is not inflated past its name", async () => {
  // Random doubles barely compress, so the stream is far longer than the
  // prefix inflated to read the name; a corrupt byte at its end (the
  // checksum) is only seen when the variable itself is read.
  let seed = 1;
  const noise = Float64Array.from(
    { length: 20000 },
    () => (seed = (seed * 16807) % 2147483647) / 2147483647,
  );
  const bytes = await encodeMat({
    big: { shape: [100, 200], data: noise },
    small: { shape: [1, 2], data: new Float64Array([7, 8]) },
  }, { compress: true });
  const bigSize = new DataView(bytes.buffer).getUint32(132, true);
  assert.ok(bigSize > 100_000, `compressed size ${bigSize}`);
  bytes[136 + bigSize - 1] ^= 0xff;
  const only = await parseMat(bytes, { variables: ["small"], source: "corrupt.mat" });
  assert.deepEqual(values(only.get("small")!), [7, 8]);
  await assert.rejects(parseMat(bytes, { source: "corrupt.mat" }), (error: Error) => {
    assert.ok(error instanceof FormatError);
    assert.match(
      error.message,
      /^corrupt\.mat: compressed variable at byte 128: corrupt deflate data/,
    );
    return true;
  });
});

Deno.test("both byte orders: narrower storage than the class, UTF-8/16/32 chars", async () => {
  for (const le of [false, true]) {
    const bytes = matFile([
      matrix({
        classCode: 6,
        dims: [2, 2],
        name: "a",
        body: [{ type: 2, data: numbers("u8", [1, 2, 3, 4], le) }],
      }, le),
      matrix({
        classCode: 6,
        dims: [1, 3],
        name: "neg",
        body: [{ type: 3, data: numbers("i16", [-300, 0, 300], le) }],
      }, le),
      matrix({
        classCode: 14,
        dims: [2, 1],
        name: "i64",
        body: [{ type: 1, data: numbers("i8", [-1, 5], le) }],
      }, le),
      matrix({
        classCode: 4,
        dims: [1, 2],
        name: "s",
        body: [{ type: 4, data: numbers("u16", [0x48, 0x69], le) }],
      }, le),
      matrix(
        { classCode: 4, dims: [2, 2], name: "m", body: [{ type: 16, data: utf8("aébc") }] },
        le,
      ),
      matrix({ classCode: 4, dims: [1, 2], name: "e", body: [{ type: 16, data: utf8("😀") }] }, le),
      matrix({
        classCode: 4,
        dims: [1, 1],
        name: "w",
        body: [{ type: 18, data: numbers("u32", [0x20ac], le) }],
      }, le),
    ], le);
    const vars = await parseMat(bytes, { source: le ? "le.mat" : "be.mat" });
    const a = vars.get("a")!;
    assert.equal(a.class, "double");
    assert.ok(a.data instanceof Float64Array);
    // Column-major [1 2 3 4] is the matrix [[1, 3], [2, 4]].
    assert.deepEqual(values(a), [1, 3, 2, 4]);
    assert.deepEqual(values(vars.get("neg")!), [-300, 0, 300]);
    const i64 = vars.get("i64")!;
    assert.ok(i64.data instanceof BigInt64Array);
    assert.deepEqual([...i64.data], [-1n, 5n]);
    assert.equal(vars.get("s")!.data, "Hi");
    // Column-major a, é, b, c: rows "ab" and "éc".
    assert.equal(vars.get("m")!.data, "abéc");
    assert.equal(vars.get("e")!.data, "😀");
    assert.equal(vars.get("w")!.data, "€");
  }
});

Deno.test("sparse, object and bad sizes give a FormatError naming file and variable", async () => {
  const le = true;
  const sparse = matFile([matrix({ classCode: 5, dims: [3, 3], name: "sp", body: [] }, le)], le);
  await assert.rejects(
    parseMat(sparse, { source: "s.mat" }),
    /^FormatError: s\.mat: variable 'sp': sparse arrays are unsupported/,
  );
  const object = matFile([matrix({ classCode: 3, dims: [1, 1], name: "obj", body: [] }, le)], le);
  await assert.rejects(
    parseMat(object, { source: "o.mat" }),
    /o\.mat: variable 'obj': MATLAB object/,
  );
  const short = matFile([
    matrix({
      classCode: 6,
      dims: [2, 3],
      name: "x",
      body: [{ type: 9, data: numbers("f64", [1, 2, 3], le) }],
    }, le),
  ], le);
  await assert.rejects(
    parseMat(short, { source: "x.mat" }),
    /x\.mat: variable 'x': real part \(miDOUBLE\) holds 24 bytes but dimensions 2x3 need 48/,
  );
  const huge = matFile([
    matrix({
      classCode: 6,
      dims: [2147483647, 2147483647],
      name: "h",
      body: [{ type: 9, data: numbers("f64", [1], le) }],
    }, le),
  ], le);
  await assert.rejects(parseMat(huge, { source: "h.mat" }), FormatError);
  const truncated = (await encodeMat({ x: { shape: [4, 4], data: new Float64Array(16) } }))
    .subarray(0, 200);
  await assert.rejects(
    parseMat(truncated, { source: "t.mat" }),
    /t\.mat: truncated: miMATRIX element claims 176 bytes, 64 left/,
  );
  const other = matFile([elements([{ type: 9, data: numbers("f64", [1], le) }], le)], le);
  await assert.rejects(
    parseMat(other, { source: "d.mat" }),
    /expected a variable \(miMATRIX or miCOMPRESSED\), found miDOUBLE/,
  );
  await assert.rejects(
    parseMat(new Uint8Array(10), { source: "z.mat" }),
    /z\.mat is not a MAT-file/,
  );
  let deep = matrix({
    classCode: 6,
    dims: [0, 0],
    name: "",
    body: [{ type: 9, data: new Uint8Array(0) }],
  }, le);
  for (let level = 0; level < 100; level++) {
    deep = matrix({
      classCode: 1,
      dims: [1, 1],
      name: level === 99 ? "deep" : "",
      body: [{ type: 14, data: deep.subarray(8) }],
    }, le);
  }
  await assert.rejects(
    parseMat(matFile([deep], le), { source: "d.mat" }),
    /d\.mat: variable 'deep(\{1\})+': cells\/structs nested deeper than 64 levels/,
  );
});

Deno.test("a compressed element declaring more than deflate can produce is refused before inflating", async () => {
  const tag = new Uint8Array(16);
  new DataView(tag.buffer).setUint32(0, 14, true);
  new DataView(tag.buffer).setUint32(4, 0xfffffff0, true);
  const stream = await compress(tag, "deflate");
  const file = matFile([elements([{ type: 15, data: stream }], true, false)], true);
  await assert.rejects(
    parseMat(file, { source: "lie.mat" }),
    /^FormatError: lie\.mat: compressed variable at byte 128: declares 4294967280 bytes, more than the \d+ bytes allowed/,
  );
});
