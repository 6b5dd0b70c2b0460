import assert from "node:assert/strict";
import { decode, encodePng, Image } from "image-js";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import {
  FLOWERS17_CLASSES,
  FLOWERS17_SPLIT_FILE,
  flowers17ImageName,
  flowers17Label,
  imageToCHW,
  iterateFlowers17,
  iterateImageBatches,
  listFlowers17,
  parseFlowers17Split,
  readFlowers17Splits,
  readImageCHW,
  resizeCropPlanar,
  SQUEEZENET_PREPROCESS,
} from "../../datasets/flowers17/mod.ts";
import { writeMat } from "../../formats/mat/mod.ts";
import { readImageHeader } from "../../formats/image_header.ts";
import { DATA_DIR } from "../shared_data.ts";

const FLOWERS = `${DATA_DIR}/flowers17`;
const FISH = `${DATA_DIR}/squeezenet/fish.png`;

/** Fails (never skips) with a clear message when the shared data is not where the tests expect it. */
async function requireData(path: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => undefined);
  assert.ok(
    info !== undefined,
    `test data missing: ${path} (set INKLING_DATA_DIR to the shared data folder)`,
  );
}

const SPLIT_TEXT = async () => await Deno.readTextFile(`${FLOWERS}/${FLOWERS17_SPLIT_FILE}`);

Deno.test("flowers17: 1,360 images, 80 per class, labels ⌊(N−1)/80⌋ in the manifest's class order", async () => {
  await requireData(FLOWERS);
  const images = await listFlowers17(FLOWERS);
  assert.equal(images.length, 1360);
  assert.equal(FLOWERS17_CLASSES.length, 17);
  assert.equal(FLOWERS17_CLASSES[0], "daffodil");
  assert.equal(FLOWERS17_CLASSES[11], "colts' foot");
  assert.equal(FLOWERS17_CLASSES[16], "pansy");
  assert.deepEqual(
    [1, 80, 81, 160, 161, 1281, 1360].map((n) => images[n - 1].label),
    [0, 0, 1, 1, 2, 16, 16],
  );
  assert.equal(images[0].path, `${FLOWERS}/jpg/image_0001.jpg`);
  assert.equal(images[1359].name, "image_1360.jpg");
  const perClass = new Array(17).fill(0);
  for (const image of images) perClass[image.label]++;
  assert.deepEqual(perClass, new Array(17).fill(80));
  assert.throws(() => flowers17Label(1361), InklingError);
});

Deno.test("flowers17: the assignment split is 680/340/340, 40/20/20 per class, disjoint and complete", async () => {
  await requireData(FLOWERS);
  const splits = await readFlowers17Splits(FLOWERS);
  assert.deepEqual([splits.train.length, splits.val.length, splits.test.length], [680, 340, 340]);
  for (const [part, expected] of [["train", 40], ["val", 20], ["test", 20]] as const) {
    const perClass = new Array(17).fill(0);
    for (const image of splits[part]) perClass[image.label]++;
    assert.deepEqual(perClass, new Array(17).fill(expected), part);
  }
  const all = new Set([...splits.train, ...splits.val, ...splits.test].map((image) => image.index));
  assert.equal(all.size, 1360);
  // First lines of the list: image_0001 val, image_0002 train, image_0005 test.
  assert.equal(splits.val[0].name, "image_0001.jpg");
  assert.equal(splits.train[0].name, "image_0002.jpg");
  assert.equal(splits.test[0].name, "image_0005.jpg");
});

Deno.test("flowers17: a bad split line is a FormatError naming the file and line", async () => {
  await requireData(FLOWERS);
  const lines = (await SPLIT_TEXT()).split("\n");
  const at = lines.indexOf("image_0002.jpg train 0"); // 0-based; the message counts from 1
  assert.ok(at > 0);
  const broken = (replacement: string) =>
    lines.map((line, i) => (i === at ? replacement : line)).join("\n");
  const cases: [string, RegExp][] = [
    ["image_0002.jpg train", /split\.txt:6: expected "image_NNNN\.jpg/],
    ["image_0002.jpg holdout 0", /split\.txt:6: split "holdout" is not train, val or test/],
    ["image_0002.jpg train 3", /split\.txt:6: image_0002\.jpg belongs to class 0, the line says 3/],
    ["image_2000.jpg train 0", /split\.txt:6: "image_2000\.jpg" is not a file/],
    ["image_0001.jpg train 0", /split\.txt:6: image_0001\.jpg is listed again \(already in val\)/],
    ["# dropped", /split\.txt: 1 images have no split \(first: image_0002\.jpg\)/],
  ];
  assert.equal(at + 1, 6);
  for (const [replacement, message] of cases) {
    assert.throws(
      () => parseFlowers17Split(broken(replacement), { file: "split.txt" }),
      (error: Error) => {
        assert.ok(error instanceof FormatError, `${replacement}: ${error}`);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

Deno.test("flowers17: without the list, VGG's datasplits.mat (trn2/val2/tst2) gives the same split; a missing image is named", async () => {
  await requireData(FLOWERS);
  const reference = await readFlowers17Splits(FLOWERS);
  const dir = await Deno.makeTempDir({ prefix: "flowers17_test_" });
  try {
    await Deno.mkdir(`${dir}/jpg`);
    for (let n = 1; n <= 1360; n++) {
      await Deno.writeFile(`${dir}/jpg/${flowers17ImageName(n)}`, new Uint8Array(0));
    }
    const asColumn = (part: "train" | "val" | "test") => {
      const numbers = Float64Array.from(reference[part], (image) => image.index);
      return { shape: [1, numbers.length], data: numbers };
    };
    await writeMat(`${dir}/datasplits.mat`, {
      trn2: asColumn("train"),
      val2: asColumn("val"),
      tst2: asColumn("test"),
    });
    const fromMat = await readFlowers17Splits(dir);
    for (const part of ["train", "val", "test"] as const) {
      assert.deepEqual(
        fromMat[part].map((image) => image.index),
        reference[part].map((image) => image.index),
      );
    }
    await Deno.remove(`${dir}/jpg/image_0081.jpg`);
    await assert.rejects(
      listFlowers17(dir),
      /1 of the 1360 Flowers 17 images are missing \(image_0081\.jpg\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flowers17: fish.png as BGR raw 224 is exactly its B, G, R planes (the SqueezeNet reference input)", async () => {
  await requireData(FISH);
  const x = await readImageCHW(FISH, SQUEEZENET_PREPROCESS);
  const plane = 224 * 224;
  assert.equal(x.length, 3 * plane);
  // Expected planes straight from the decoded PNG (RGB interleaved) …
  const png = decode(await Deno.readFile(FISH));
  assert.equal(png.colorModel, "RGB");
  const raw = png.getRawImage().data;
  for (let i = 0; i < plane; i++) {
    if (
      x[i] !== raw[3 * i + 2] || x[plane + i] !== raw[3 * i + 1] || x[2 * plane + i] !== raw[3 * i]
    ) {
      assert.fail(`pixel ${i}: got BGR ${x[i]},${x[plane + i]},${x[2 * plane + i]}`);
    }
  }
  // … and numbers from an independent PNG decode (Python zlib + unfiltering): plane sums and pixels.
  const sums = [0, 1, 2].map((p) =>
    x.subarray(p * plane, (p + 1) * plane).reduce((a, b) => a + b, 0)
  );
  assert.deepEqual(sums, [2938108, 5514686, 4058872]);
  const bgrAt = (col: number, row: number) => [0, 1, 2].map((p) => x[p * plane + row * 224 + col]);
  assert.deepEqual(bgrAt(0, 0), [60, 82, 63]);
  assert.deepEqual(bgrAt(100, 50), [47, 145, 93]);
  assert.deepEqual(bgrAt(223, 223), [13, 63, 29]);
});

Deno.test("flowers17: channel order and normalisation (rgb/bgr, raw/unit/imagenet)", async () => {
  await requireData(FISH);
  const bytes = await Deno.readFile(FISH);
  const rgbUnit = imageToCHW(bytes, { channelOrder: "rgb", normalize: "unit" });
  const plane = 224 * 224;
  assert.ok(
    Math.abs(rgbUnit[0] - 63 / 255) < 1e-7 && Math.abs(rgbUnit[2 * plane] - 60 / 255) < 1e-7,
  );
  const imagenet = imageToCHW(bytes, { channelOrder: "bgr", normalize: "imagenet" });
  const expectB = (60 / 255 - 0.406) / 0.225;
  const expectR = (63 / 255 - 0.485) / 0.229;
  assert.ok(Math.abs(imagenet[0] - expectB) < 1e-6, `B ${imagenet[0]} vs ${expectB}`);
  assert.ok(
    Math.abs(imagenet[2 * plane] - expectR) < 1e-6,
    `R ${imagenet[2 * plane]} vs ${expectR}`,
  );
  assert.throws(
    () => imageToCHW(bytes, { channelOrder: "rbg" as "rgb" }),
    /channelOrder must be "rgb" or "bgr"/,
  );
  assert.throws(
    () => imageToCHW(bytes, { size: 64, resizeTo: 32 }),
    /need integers with resize ≥ crop/,
  );
});

Deno.test("flowers17: a decoded photo has the asked shape and range; at its own short side the crop is pixel-exact", async () => {
  await requireData(FLOWERS);
  const file = `${FLOWERS}/jpg/image_0001.jpg`;
  const bytes = await Deno.readFile(file);
  assert.deepEqual(readImageHeader(bytes, { name: file }), {
    format: "jpeg",
    width: 689,
    height: 500,
    channels: 3,
    bitDepth: 8,
  });
  const x = imageToCHW(bytes, { size: 224 });
  assert.equal(x.length, 3 * 224 * 224);
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) [min, max] = [Math.min(min, v), Math.max(max, v)];
  assert.ok(min >= 0 && max <= 255 && max - min > 100, `range ${min}..${max}`);
  // Short side 500 → no resampling; the centre 500×500 starts at column ⌊(689−500)/2⌋ = 94.
  const full = imageToCHW(bytes, { size: 500 });
  const plane = 500 * 500;
  const rgbAt = (col: number, row: number) =>
    [0, 1, 2].map((p) => full[p * plane + row * 500 + col]);
  assert.deepEqual(rgbAt(0, 0), [254, 251, 255]); // source pixel (94, 0) as jpeg-js decodes it
  assert.deepEqual(rgbAt(250, 250), [193, 178, 75]); // source pixel (344, 250)
});

Deno.test("flowers17: the resampler averages with the antialiased triangle filter and keeps constants", () => {
  // 4×4 image whose rows are 0, 100, 200, 255 → 2×2: weights 3/7, 3/7, 1/7 and 1/7, 3/7, 3/7.
  const row = [0, 100, 200, 255];
  const src = {
    data: Uint8Array.from([...row, ...row, ...row, ...row]),
    width: 4,
    height: 4,
    channels: 1,
  };
  const out = new Float32Array(4);
  resizeCropPlanar(src, { size: 2, resizeTo: 2, planes: [0], scale: [1], offset: [0], out });
  const left = (0 * 3 + 100 * 3 + 200) / 7;
  const right = (100 * 1 + 200 * 3 + 255 * 3) / 7;
  for (const [i, expected] of [left, right, left, right].entries()) {
    assert.ok(Math.abs(out[i] - expected) < 1e-4, `out[${i}] = ${out[i]}, expected ${expected}`);
  }
  // A constant 7×5 image stays constant at any size; offset/scale apply per plane.
  const grey = { data: new Uint8Array(7 * 5).fill(77), width: 7, height: 5, channels: 1 };
  const small = new Float32Array(2 * 9);
  resizeCropPlanar(grey, {
    size: 3,
    resizeTo: 3,
    planes: [0, 0],
    scale: [1, 2],
    offset: [0, -1],
    out: small,
  });
  for (const v of small.subarray(0, 9)) assert.ok(Math.abs(v - 77) < 1e-4);
  for (const v of small.subarray(9)) assert.ok(Math.abs(v - 153) < 1e-4);
});

Deno.test("flowers17: grey PNGs fill three planes; bad or oversized images are FormatErrors naming the file", () => {
  const grey = new Image(3, 2, {
    colorModel: "GREY",
    data: Uint8Array.from([0, 50, 100, 150, 200, 250]),
  });
  const x = imageToCHW(encodePng(grey), { size: 2, what: "grey.png" });
  assert.deepEqual([...x.subarray(0, 4)], [...x.subarray(4, 8)]);
  assert.deepEqual([...x.subarray(0, 4)], [...x.subarray(8, 12)]);
  assert.throws(
    () => imageToCHW(new TextEncoder().encode("hello"), { what: "a.txt" }),
    (error: Error) => {
      assert.ok(error instanceof FormatError);
      assert.match(error.message, /^a\.txt: not a PNG or JPEG image/);
      return true;
    },
  );
  // A PNG header declaring 100000×100000 pixels is refused before any decoding.
  const header = encodePng(grey).slice(0, 33);
  new DataView(header.buffer).setUint32(16, 100000);
  new DataView(header.buffer).setUint32(20, 100000);
  assert.throws(
    () => imageToCHW(header, { what: "huge.png" }),
    /huge\.png: 100000×100000 image is larger than/,
  );
});

Deno.test("flowers17: a truncated JPEG is a FormatError naming the file", async () => {
  await requireData(FLOWERS);
  const file = `${FLOWERS}/jpg/image_0002.jpg`;
  const bytes = (await Deno.readFile(file)).slice(0, 400);
  assert.throws(() => imageToCHW(bytes, { what: file }), (error: Error) => {
    assert.ok(error instanceof FormatError, String(error));
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    return true;
  });
});

Deno.test("flowers17: streaming the val split yields all 340 images once, in batches of at most 50", async () => {
  await requireData(FLOWERS);
  const splits = await readFlowers17Splits(FLOWERS);
  const sizes: number[] = [];
  const files: string[] = [];
  const labels: number[] = [];
  for await (const batch of iterateFlowers17(FLOWERS, { split: "val", batchSize: 50, size: 32 })) {
    assert.deepEqual(batch.x.shape, [batch.y.length, 3, 32, 32]);
    assert.equal(batch.files.length, batch.y.length);
    assert.ok(batch.x.data.every((v) => v >= 0 && v <= 255));
    sizes.push(batch.y.length);
    files.push(...batch.files);
    labels.push(...batch.y);
  }
  assert.deepEqual(sizes, [50, 50, 50, 50, 50, 50, 40]);
  assert.deepEqual(files, splits.val.map((image) => image.path));
  assert.deepEqual(labels, splits.val.map((image) => image.label));
  await assert.rejects(async () => {
    for await (const _ of iterateFlowers17(FLOWERS, { split: "dev" as "val" }));
  }, /split must be train, val, test or all/);
});

Deno.test("flowers17: shuffled batches are a seeded permutation; an unreadable file ends the stream naming it", async () => {
  await requireData(FISH);
  const files = [0, 1, 2, 3, 4].map((label) => ({ path: FISH, label }));
  const seen: number[] = [];
  for await (
    const batch of iterateImageBatches(files, { batchSize: 2, size: 8, shuffle: true, seed: 7 })
  ) {
    assert.ok(batch.y.length <= 2);
    seen.push(...batch.y);
  }
  assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
  assert.notDeepEqual(seen, [0, 1, 2, 3, 4]);
  const again: number[] = [];
  for await (
    const batch of iterateImageBatches(files, { batchSize: 2, size: 8, shuffle: true, seed: 7 })
  ) {
    again.push(...batch.y);
  }
  assert.deepEqual(again, seen);
  await assert.rejects(async () => {
    for await (const _ of iterateImageBatches(files, { size: 1e6 }));
  }, /output size must be an integer from 1 to 16384, not 1000000/);
  const missing = [{ path: `${DATA_DIR}/no/such.jpg`, label: 0 }];
  await assert.rejects(async () => {
    for await (const _ of iterateImageBatches(missing, { size: 8 }));
  }, /no\/such\.jpg: cannot read image/);
});
