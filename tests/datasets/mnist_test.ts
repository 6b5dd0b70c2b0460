/** MNIST and EMNIST readers on the real MNIST files and on small EMNIST-layout files. */

import assert from "node:assert/strict";
import { InklingError } from "../../autograd/errors.ts";
import { writeIdx } from "../../formats/idx/mod.ts";
import { readMnist } from "../../datasets/mnist.ts";
import { parseEmnistMapping, readEmnist, readEmnistMapping } from "../../datasets/emnist.ts";
import { DATA_DIR } from "../shared_data.ts";

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
