/**
 * The split in memory: the first N images per class of each part, and the
 * bad-input contract — no data set is one line saying how to get it, a
 * missing or corrupt image is a FormatError naming the file.
 */

import assert from "node:assert/strict";
import { FormatError, InklingError } from "../../mod.ts";
import { FLOWERS17_SPLIT_FILE, flowers17ImageName } from "../../datasets/flowers17/mod.ts";
import { loadFlowerSplit } from "../../finetune/flower_images.ts";
import { DATA_DIR } from "../shared_data.ts";

const FLOWERS = `${DATA_DIR}/flowers17`;

/** The data set folder with its split list and an empty (corrupt) file for every image. */
async function emptyCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "flowers17_" });
  await Deno.mkdir(`${dir}/jpg`);
  await Deno.copyFile(`${FLOWERS}/${FLOWERS17_SPLIT_FILE}`, `${dir}/${FLOWERS17_SPLIT_FILE}`);
  for (let i = 1; i <= 1360; i++) {
    await Deno.writeFile(`${dir}/jpg/${flowers17ImageName(i)}`, new Uint8Array(0));
  }
  return dir;
}

Deno.test("flower images: one image per class of each part, 224 × 224 BGR 0–255", async () => {
  const split = await loadFlowerSplit(FLOWERS, { perClass: 1 });
  for (const part of [split.train, split.val, split.test]) {
    assert.deepEqual(part.x.shape, [17, 3, 224, 224]);
    assert.deepEqual([...part.y], Array.from({ length: 17 }, (_, c) => c));
    assert.equal(part.files.length, 17);
  }
  let max = 0;
  for (const v of split.train.x.data) max = Math.max(max, v);
  assert.ok(max > 200 && max <= 255);
  assert.ok(split.train.files.every((f) => !split.test.files.includes(f)));
});

Deno.test("flower images: no data set is one line naming the command that fetches it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      loadFlowerSplit(`${dir}/flowers17`),
      (e: Error) =>
        e instanceof InklingError && !e.message.includes("\n") &&
        e.message.includes("npx deno task data get flowers17"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flower images: a corrupt or missing image is a FormatError naming the file", async () => {
  const dir = await emptyCopy();
  try {
    // The training part is decoded first, from its first image on.
    const split = await Deno.readTextFile(`${dir}/${FLOWERS17_SPLIT_FILE}`);
    const first = /^(image_\d{4}\.jpg) train/m.exec(split)![1];
    await assert.rejects(
      loadFlowerSplit(dir, { perClass: 1 }),
      (e: Error) => e instanceof FormatError && e.message.includes(`jpg/${first}`),
    );
    await Deno.remove(`${dir}/jpg/image_0001.jpg`);
    await assert.rejects(
      loadFlowerSplit(dir, { perClass: 1 }),
      (e: Error) => e instanceof FormatError && e.message.includes("image_0001.jpg"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
