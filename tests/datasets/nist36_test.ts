import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { writeMat } from "../../formats/mat/writer.ts";
import type { MatWritable } from "../../formats/mat/writer.ts";
import { loadNist36, NIST36_CLASSES } from "../../datasets/nist36.ts";

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nist36_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `n` glyphs of value `(i % 7) / 6` as doubles, labels `classes`, as a split's variables. */
function splitVars(split: string, classes: readonly number[]): Record<string, MatWritable> {
  const n = classes.length;
  const data = Float64Array.from({ length: n * 1024 }, (_, i) => (i % 7) / 6);
  const labels = new Float64Array(n * 36);
  classes.forEach((c, i) => labels[i * 36 + c] = 1);
  return {
    [`${split}_data`]: { shape: [n, 1024], data },
    [`${split}_labels`]: { shape: [n, 36], data: labels },
  };
}

/** Asserts that loading `dir`'s train split fails with a FormatError whose message matches `pattern`. */
async function assertTrainFails(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(loadNist36(dir, { splits: ["train"] }), (e: Error) => {
    assert.ok(e instanceof FormatError, `expected a FormatError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("NIST36_CLASSES: A–Z then 0–9", () => {
  assert.equal(NIST36_CLASSES.length, 36);
  assert.equal(NIST36_CLASSES[0], "A");
  assert.equal(NIST36_CLASSES[25], "Z");
  assert.equal(NIST36_CLASSES[26], "0");
  assert.equal(NIST36_CLASSES[35], "9");
});

Deno.test("loadNist36: reads doubles of all three splits as float32 tensors with labels", async () => {
  await withDir(async (dir) => {
    await writeMat(`${dir}/nist36_train.mat`, splitVars("train", [0, 35, 7]), { compress: true });
    await writeMat(`${dir}/nist36_valid.mat`, splitVars("valid", [1, 2]));
    await writeMat(`${dir}/nist36_test.mat`, splitVars("test", [26]));
    const { train, valid, test } = await loadNist36(dir);
    assert.deepEqual(train.x.shape, [3, 1024]);
    assert.deepEqual(train.y.shape, [3, 36]);
    assert.equal(train.x.dtype, "float32");
    assert.equal(train.y.dtype, "float32");
    assert.deepEqual([...train.labels], [0, 35, 7]);
    assert.deepEqual([...valid.labels], [1, 2]);
    assert.deepEqual([...test.labels], [26]);
    assert.equal(train.x.data[1], Math.fround(1 / 6));
    assert.equal(train.y.data[36 + 35], 1);
    assert.equal(train.writers, undefined);
  });
});

Deno.test("loadNist36: splits option reads only those files; writers are read when present", async () => {
  await withDir(async (dir) => {
    await writeMat(`${dir}/nist36_test.mat`, {
      ...splitVars("test", [3, 4]),
      test_writers: { shape: [2, 1], data: Int32Array.of(17, 2) },
    });
    const loaded = await loadNist36(dir, { splits: ["test"] });
    assert.deepEqual(Object.keys(loaded), ["test"]);
    assert.deepEqual([...loaded.test.writers!], [17, 2]);
    await assert.rejects(
      loadNist36(dir, { splits: ["bogus" as "test"] }),
      /unknown split "bogus"/,
    );
  });
});

Deno.test("loadNist36: a missing file is a FormatError naming it", async () => {
  await withDir(async (dir) => {
    await assertTrainFails(dir, /nist36_train\.mat: file not found/);
  });
});

Deno.test("loadNist36: wrong variable names are named, with what the file holds", async () => {
  await withDir(async (dir) => {
    const vars = splitVars("valid", [0]);
    await writeMat(`${dir}/nist36_train.mat`, vars);
    await assertTrainFails(
      dir,
      /nist36_train\.mat: no variable 'train_data' or 'train_labels' \(the file holds 'valid_data', 'valid_labels'\)/,
    );
  });
});

Deno.test("loadNist36: wrong shapes name the variable and both shapes", async () => {
  await withDir(async (dir) => {
    await writeMat(`${dir}/nist36_train.mat`, {
      train_data: { shape: [2, 1000], data: new Float64Array(2000) },
      train_labels: splitVars("train", [0, 1]).train_labels,
    });
    await assertTrainFails(dir, /'train_data' has shape 2×1000, expected 2×1024/);
    await writeMat(`${dir}/nist36_train.mat`, {
      train_data: splitVars("train", [0, 1]).train_data,
      train_labels: splitVars("train", [0, 1, 2]).train_labels,
    });
    await assertTrainFails(dir, /'train_labels' has shape 3×36, expected 2×36/);
    await writeMat(`${dir}/nist36_train.mat`, {
      ...splitVars("train", [0, 1]),
      train_writers: { shape: [1, 3], data: Int32Array.of(0, 1, 2) },
    });
    await assertTrainFails(dir, /'train_writers' has shape 1×3, expected 2×1/);
  });
});

Deno.test("loadNist36: values outside [0, 1] and non-one-hot labels are refused", async () => {
  await withDir(async (dir) => {
    const vars = splitVars("train", [5, 6]);
    const data = (vars.train_data.data as Float64Array).slice();
    data[1024 + 40] = 1.5;
    await writeMat(`${dir}/nist36_train.mat`, { ...vars, train_data: { shape: [2, 1024], data } });
    await assertTrainFails(
      dir,
      /holds 1\.5 at row 2, column 41; pixel values must lie in \[0, 1\]/,
    );
    data[1024 + 40] = NaN;
    await writeMat(`${dir}/nist36_train.mat`, { ...vars, train_data: { shape: [2, 1024], data } });
    await assertTrainFails(dir, /holds NaN at row 2, column 41/);

    const labels = (vars.train_labels.data as Float64Array).slice();
    labels[3] = 1; // row 1 now has two ones
    await writeMat(`${dir}/nist36_train.mat`, {
      ...vars,
      train_labels: { shape: [2, 36], data: labels },
    });
    await assertTrainFails(dir, /'train_labels' row 1 is not one-hot/);
    const half = new Float64Array(72);
    half[0] = 0.5;
    half[36 + 2] = 1;
    await writeMat(`${dir}/nist36_train.mat`, {
      ...vars,
      train_labels: { shape: [2, 36], data: half },
    });
    await assertTrainFails(dir, /'train_labels' row 1 is not one-hot/);
  });
});

Deno.test("loadNist36: a char variable in place of the data is refused", async () => {
  await withDir(async (dir) => {
    await writeMat(`${dir}/nist36_train.mat`, {
      train_data: { shape: [1, 3], data: "abc" },
      train_labels: splitVars("train", [0]).train_labels,
    });
    await assertTrainFails(dir, /'train_data' is a char array, expected real numbers/);
  });
});
