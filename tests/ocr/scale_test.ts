/**
 * Reading at a reduced scale: pages are shrunk before the letters are found,
 * yet every box `readText` reports is in the photo's own (upright) pixels;
 * small writing on a large photo is read again less shrunk; a photo given as
 * PNG, JPEG, image or pixels reads alike.
 */

import assert from "node:assert/strict";
import { encodeJpeg, encodePng, Image } from "image-js";
import { renderGlyph } from "../../datasets/unipen/mod.ts";
import type { Box } from "../../ocr/box.ts";
import { decodePhoto, readPhoto } from "../../ocr/image_input.ts";
import { loadOcrModel } from "../../ocr/model/mod.ts";
import { type ReadResult, readText } from "../../ocr/read_text.ts";

/** Block capitals as pen strokes (x, y, y down) in a unit box, each one connected piece. */
const GLYPHS = [
  [Float32Array.of(0, 0, 0, 1, 0.7, 1)], // L
  [Float32Array.of(0, 0, 1, 0), Float32Array.of(0.5, 0, 0.5, 1)], // T
  [Float32Array.of(0, 1, 0.4, 0, 0.8, 1), Float32Array.of(0.2, 0.55, 0.6, 0.55)], // A
  [Float32Array.of(0, 0, 0, 1), Float32Array.of(0, 0.5, 0.8, 0.5), Float32Array.of(0.8, 0, 0.8, 1)], // H
];

/** A page of the four glyphs, `glyph` pixels tall, on lit paper; and each glyph's ink box. */
function page(glyph: number): { image: Image; boxes: Box[] } {
  const pitch = Math.round(glyph * 1.5);
  const width = pitch * GLYPHS.length + glyph;
  const height = glyph * 3;
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = 225 + ((i % width) * 20) / width;
  const boxes = GLYPHS.map((strokes, k) => {
    const ink = renderGlyph(strokes, { size: glyph, penWidth: Math.max(3, glyph / 14) });
    const [left, top] = [glyph / 2 + k * pitch, glyph];
    let box: Box = [Infinity, Infinity, -Infinity, -Infinity];
    ink.forEach((paper, i) => {
      if (paper >= 0.999) return;
      const [x, y] = [left + (i % glyph), top + Math.floor(i / glyph)];
      grey[y * width + x] = Math.round(grey[y * width + x] * paper + 30 * (1 - paper));
      if (paper < 0.5) {
        box = [
          Math.min(box[0], y),
          Math.min(box[1], x),
          Math.max(box[2], y + 1),
          Math.max(box[3], x + 1),
        ];
      }
    });
    return box;
  });
  return { image: new Image(width, height, { colorModel: "GREY", data: grey }), boxes };
}

/** Every box of a reading, sorted by left edge. */
const boxesOf = (result: ReadResult): Box[] =>
  result.lines.flatMap((l) => l.words.flatMap((w) => w.chars.map((c) => c.box)))
    .sort((a, b) => a[1] - b[1]);

/** Asserts each box of `found` is within `tolerance` pixels of its counterpart in `expected`. */
function near(found: Box[], expected: Box[], tolerance: number, label: string): void {
  assert.equal(found.length, expected.length, `${label}: ${found.length} boxes`);
  found.forEach((box, i) => {
    const off = Math.max(...box.map((v, k) => Math.abs(v - expected[i][k])));
    assert.ok(off <= tolerance, `${label}: box ${box} against ${expected[i]} (${off} px off)`);
  });
}

/** `jpeg` with an EXIF segment holding only the orientation tag inserted after its start marker. */
function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0, orientation, 0, 0, 0, 0, 0, 0];
  const length = payload.length + 2;
  const segment = [0xff, 0xe1, length >> 8, length & 255, ...payload];
  return Uint8Array.of(...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2));
}

const model = await loadOcrModel();

Deno.test("readText: a page read at two sizes gives boxes in each photo's pixels", async () => {
  const small = page(120);
  const large = page(360);
  // 1260 × 360 is read whole; 3780 × 1080, as a JPEG, at 1/2 size (then 1/3 for the PNG).
  const readSmall = await readText(encodePng(small.image), { model });
  near(boxesOf(readSmall), small.boxes, 2, "small PNG");
  const jpeg = encodeJpeg(large.image.convertColor("RGB"), { quality: 95 });
  const readLarge = await readText(jpeg, { model });
  near(boxesOf(readLarge), large.boxes, 4, "large JPEG");
  near(boxesOf(readLarge), boxesOf(readSmall).map((b) => b.map((v) => v * 3) as Box), 9, "×3");
  near(boxesOf(await readText(encodePng(large.image), { model })), large.boxes, 5, "large PNG");
  assert.equal(readLarge.text, readSmall.text);
});

Deno.test("readText: boxes of a turned phone photo are in its upright pixels", async () => {
  const { image, boxes } = page(240);
  const jpeg = encodeJpeg(image.convertColor("RGB"), { quality: 95 });
  const { width, height } = image;
  for (const orientation of [3, 6, 8]) {
    const turned = withOrientation(jpeg, orientation);
    const photo = decodePhoto(turned, { name: "turned.jpg" });
    assert.deepEqual(
      [photo.width, photo.height],
      orientation === 3 ? [width, height] : [height, width],
    );
    // Where each stored box lands once the photo is turned upright.
    const upright = boxes.map(([y1, x1, y2, x2]): Box =>
      orientation === 3
        ? [height - y2, width - x2, height - y1, width - x1]
        : orientation === 6
        ? [x1, height - y2, x2, height - y1]
        : [width - x2, y1, width - x1, y2]
    );
    const found = boxesOf(await readText(photo, { model })).sort((a, b) =>
      a[0] - b[0] || a[1] - b[1]
    );
    upright.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    near(found, upright, 4, `orientation ${orientation}`);
  }
});

Deno.test("readText: small writing on a large photo is read again less shrunk", async () => {
  // 40-pixel capitals on a 2170 × 120 page: at 1/2 size they would be 20 pixels tall.
  const { image, boxes } = page(40);
  const wide = new Image(2170, 120, { colorModel: "GREY" }).fill(228);
  image.copyTo(wide, { origin: { row: 0, column: 0 }, out: wide });
  const png = encodePng(wide);
  const whole = await readText(png, { model, pageSide: Infinity });
  const refined = await readText(png, { model });
  assert.deepEqual(boxesOf(refined), boxesOf(whole));
  assert.equal(refined.text, whole.text);
  near(boxesOf(refined), boxes, 1, "refined");
  const shrunk = await readText(png, { model, charHeight: 0 });
  assert.notDeepEqual(boxesOf(shrunk), boxesOf(whole));
});

Deno.test("readText: PNG bytes, an image, RGBA pixels and a photo read alike", async () => {
  const { image } = page(200);
  const png = encodePng(image);
  const rgba = image.convertColor("RGBA");
  const results = [
    await readText(png, { model }),
    await readText(image, { model }),
    await readText({
      width: rgba.width,
      height: rgba.height,
      data: rgba.getRawImage().data as Uint8Array,
    }, { model }),
    await readText(await readPhoto(png), { model }),
  ];
  for (const result of results.slice(1)) assert.deepEqual(result, results[0]);
});

Deno.test("decodePhoto: JPEG pages shrink by powers of two, others by any whole factor", () => {
  const { image } = page(100);
  const jpeg = decodePhoto(encodeJpeg(image.convertColor("RGB")));
  const png = decodePhoto(encodePng(image));
  const sizes = (photo: typeof jpeg, factor: number) => {
    const { width, height, photoWidth, photoHeight } = photo.page(factor);
    return [width, height, photoWidth, photoHeight];
  };
  assert.deepEqual(sizes(jpeg, 3), [Math.ceil(image.width / 2), 150, image.width, 300]);
  assert.deepEqual(sizes(jpeg, 20), [
    Math.ceil(image.width / 8),
    Math.ceil(300 / 8),
    image.width,
    300,
  ]);
  assert.deepEqual(sizes(png, 3), [Math.ceil(image.width / 3), 100, image.width, 300]);
  assert.equal(jpeg.image().width, image.width);
});
