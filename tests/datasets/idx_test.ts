import assert from "node:assert/strict";
import { DTypeError, FormatError, InklingError, ShapeError } from "../../autograd/errors.ts";
import {
  encodeIdx,
  type IdxWritable,
  parseEmnistMapping,
  parseIdx,
  readEmnist,
  readEmnistMapping,
  readIdx,
  readMnist,
  writeIdx,
} from "../../datasets/idx/mod.ts";
import { compress } from "../../datasets/decompress.ts";

const DATA_DIR = Deno.env.get("INKLING_DATA_DIR") ??
  new URL("../../../shared/data/", import.meta.url).pathname;

async function mnistDir(): Promise<string> {
  const dir = `${DATA_DIR}/mnist`;
  const info = await Deno.stat(dir).catch(() => undefined);
  assert.ok(
    info?.isDirectory,
    `MNIST not found at ${dir}: set INKLING_DATA_DIR to the folder holding mnist/`,
  );
  return dir;
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

Deno.test("MNIST train: 60,000 images of 28x28, known label histogram and pixel mean", async () => {
  const train = await readMnist(await mnistDir(), { split: "train" });
  assert.deepEqual([train.count, train.rows, train.cols], [60000, 28, 28]);
  assert.equal(train.images.length, 60000 * 784);
  assert.deepEqual(histogram(train.labels), [
    5923,
    6742,
    5958,
    6131,
    5842,
    5421,
    5918,
    6265,
    5851,
    5949,
  ]);
  let sum = 0;
  for (const v of train.images) sum += v;
  // The normalisation constant everyone uses: mean 0.1307 of pixels in [0, 1].
  assert.equal((sum / train.images.length / 255).toFixed(4), "0.1307");
});

Deno.test("MNIST test: 10,000 images, known label histogram", async () => {
  const test = await readMnist(await mnistDir(), { split: "test" });
  assert.deepEqual([test.count, test.rows, test.cols], [10000, 28, 28]);
  assert.deepEqual(histogram(test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
});

Deno.test("MNIST: the first training image is a 5 and looks like one (PGM written for a human)", async () => {
  const train = await readMnist(await mnistDir());
  assert.equal(train.labels[0], 5);
  const image = train.images.subarray(0, 784);
  let mass = 0, rowSum = 0, colSum = 0;
  let top = 28, bottom = -1, left = 28, right = -1;
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const v = image[r * 28 + c];
      if (v === 0) continue;
      mass += v;
      rowSum += r * v;
      colSum += c * v;
      [top, bottom, left, right] = [
        Math.min(top, r),
        Math.max(bottom, r),
        Math.min(left, c),
        Math.max(right, c),
      ];
    }
  }
  // MNIST centres each digit's centre of mass in a 28x28 frame, the digit fitting 20x20.
  assert.ok(
    Math.abs(rowSum / mass - 14) < 1.5 && Math.abs(colSum / mass - 14) < 1.5,
    `centroid ${rowSum / mass}, ${colSum / mass}`,
  );
  assert.ok(bottom - top + 1 >= 16 && bottom - top + 1 <= 20, `height ${bottom - top + 1}`);
  assert.ok(right - left + 1 >= 12 && right - left + 1 <= 22, `width ${right - left + 1}`);
  // A 5: the top bar reaches right, the bottom stroke ends on the left.
  const meanInkColumn = (rows: number[]) => {
    let m = 0, s = 0;
    for (const r of rows) {
      for (let c = 0; c < 28; c++) [m, s] = [m + image[r * 28 + c], s + c * image[r * 28 + c]];
    }
    return s / m;
  };
  const topColumn = meanInkColumn([top, top + 1, top + 2]);
  const bottomColumn = meanInkColumn([bottom - 2, bottom - 1, bottom]);
  assert.ok(
    topColumn - bottomColumn > 4,
    `top bar at column ${topColumn}, bottom stroke at ${bottomColumn}`,
  );
  const dir = await Deno.makeTempDir({ prefix: "inkling_mnist_" });
  const pgm = new Uint8Array([
    ...new TextEncoder().encode("P5\n28 28\n255\n"),
    ...image.map((v) => 255 - v),
  ]);
  await Deno.writeFile(`${dir}/mnist_train_0_label5.pgm`, pgm);
  console.log(`first MNIST training image written to ${dir}/mnist_train_0_label5.pgm`);
});

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

Deno.test("EMNIST mapping: the real balanced mapping has 47 classes", async () => {
  const mapping = await readEmnistMapping(
    `${DATA_DIR}/emnist-balanced/emnist-balanced-mapping.txt`,
  );
  assert.equal(mapping.size, 47);
  const chars = [...mapping.values()].map((c) => c.chars).join("");
  assert.equal(chars, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghnqrt");
  assert.deepEqual(mapping.get(10), { index: 10, codes: [65], chars: "A" });
  const letters = parseEmnistMapping("1 65 97\n2 66 98\n");
  assert.equal(letters.get(2)!.chars, "Bb");
  assert.throws(
    () => parseEmnistMapping("0 48\n0 49\n", { source: "m.txt" }),
    /m\.txt:2: class 0 appears twice/,
  );
  assert.throws(() => parseEmnistMapping("0 x\n", { source: "m.txt" }), /m\.txt:1: expected/);
});

Deno.test("EMNIST: transposed storage is turned upright (raw on request), labels checked against the mapping", async () => {
  const mnist = await readMnist(await mnistDir(), { split: "test" });
  const n = 20;
  const upright = mnist.images.slice(0, n * 784);
  const stored = new Uint8Array(upright.length);
  for (let k = 0; k < n; k++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) stored[k * 784 + c * 28 + r] = upright[k * 784 + r * 28 + c];
    }
  }
  const dir = await Deno.makeTempDir();
  try {
    await writeIdx(`${dir}/emnist-tiny-train-images-idx3-ubyte.gz`, {
      shape: [n, 28, 28],
      data: stored,
    }, { gzip: true });
    await writeIdx(`${dir}/emnist-tiny-train-labels-idx1-ubyte.gz`, {
      shape: [n],
      data: mnist.labels.slice(0, n),
    }, { gzip: true });
    await Deno.copyFile(
      `${DATA_DIR}/emnist-balanced/emnist-balanced-mapping.txt`,
      `${dir}/emnist-tiny-mapping.txt`,
    );
    const set = await readEmnist(dir, "tiny");
    assert.deepEqual([set.count, set.rows, set.cols], [n, 28, 28]);
    assert.deepEqual(set.images, upright);
    assert.equal(set.mapping.get(set.labels[0])!.chars, String(mnist.labels[0]));
    assert.deepEqual((await readEmnist(dir, "tiny", { raw: true })).images, stored);
    // Non-square images: rows and cols swap with the transposition.
    await writeIdx(`${dir}/emnist-rect-test-images-idx3-ubyte`, {
      shape: [1, 2, 3],
      data: Uint8Array.from([1, 2, 3, 4, 5, 6]),
    });
    await writeIdx(`${dir}/emnist-rect-test-labels-idx1-ubyte`, {
      shape: [1],
      data: Uint8Array.from([46]),
    });
    await Deno.writeTextFile(`${dir}/emnist-rect-mapping.txt`, "46 116\n");
    const rect = await readEmnist(dir, "rect", { split: "test" });
    assert.deepEqual([rect.rows, rect.cols, [...rect.images]], [3, 2, [1, 4, 2, 5, 3, 6]]);
    await Deno.writeTextFile(`${dir}/emnist-rect-mapping.txt`, "0 48\n");
    await assert.rejects(
      readEmnist(dir, "rect", { split: "test" }),
      /label 46 of image 0 is not in emnist-rect-mapping\.txt/,
    );
    await assert.rejects(
      readEmnist(dir, "missing"),
      (e: Error) =>
        e instanceof InklingError && /no EMNIST missing train images file/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
