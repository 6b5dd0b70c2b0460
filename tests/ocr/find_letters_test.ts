import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Image } from "image-js";
import { renderGlyph } from "../../datasets/unipen/mod.ts";
import { cropLetters, findLetters, groupLines, readImage } from "../../ocr/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

const IMAGES = `${DATA_DIR}/images`;

/** The sample photo and its transcription, failing loudly when the data is missing. */
async function sample(name: string) {
  const photo = `${IMAGES}/${name}.jpg`;
  if (!existsSync(photo)) {
    throw new Error(
      `missing ${photo}: set INKLING_DATA_DIR to the shared data directory (with images/)`,
    );
  }
  const text = (await Deno.readTextFile(`${IMAGES}/${name}.txt`)).trimEnd().split("\n");
  return { image: await readImage(photo), text };
}

for (const name of ["01_list", "02_letters", "03_haiku", "04_deep"]) {
  Deno.test(`findLetters + groupLines on ${name}: every character, line and word break`, async () => {
    const { image, text } = await sample(name);
    const page = findLetters(image);
    assert.equal(page.width, image.width);
    assert.equal(page.height, image.height);
    assert.equal(page.binary.length, image.width * image.height);
    assert.equal(page.boxes.length, text.join("").replaceAll(" ", "").length);

    const lines = groupLines(page.boxes);
    assert.deepEqual(
      lines.map((line) => line.words.flat().length),
      text.map((line) => line.replaceAll(" ", "").length),
    );
    // Word lengths per line: every word break in the right place, none extra.
    assert.deepEqual(
      lines.map((line) => line.words.map((word) => word.length)),
      text.map((line) => line.split(" ").map((word) => word.length)),
    );
    // Reading order: each line's boxes run left to right, lines top to bottom.
    for (const line of lines) {
      const order = line.words.flat();
      for (let k = 1; k < order.length; k++) {
        assert.ok(page.boxes[order[k - 1]][1] < page.boxes[order[k]][1]);
      }
    }
    for (let n = 1; n < lines.length; n++) assert.ok(lines[n - 1].box[0] < lines[n].box[0]);

    // Every box is tight around ink of the binary page.
    for (const [y1, x1, y2, x2] of page.boxes) {
      let ink = 0;
      for (let y = y1; y < y2; y++) {
        for (let x = x1; x < x2; x++) ink += page.binary[y * page.width + x] === 0 ? 1 : 0;
      }
      assert.ok(ink > 0);
      const row = (y: number) => page.binary.subarray(y * page.width + x1, y * page.width + x2);
      assert.ok(row(y1).includes(0) && row(y2 - 1).includes(0));
    }

    const crops = cropLetters(page, lines.flatMap((l) => l.words.flat()).map((i) => page.boxes[i]));
    assert.deepEqual(crops.shape, [page.boxes.length, 1024]);
    assert.equal(crops.dtype, "float32");
    for (let n = 0; n < crops.shape[0]; n++) {
      const crop = crops.data.subarray(n * 1024, (n + 1) * 1024);
      assert.ok(crop.every((v) => v >= 0 && v <= 1));
      assert.ok(Math.min(...crop) < 0.05, `crop ${n} has no solid ink`);
      // The glyph's centre lines fit the central 24 × 24 box and the pen is
      // 2.56 px wide, so the outer two pixels on every side stay paper.
      for (let i = 0; i < 32; i++) {
        for (const j of [0, 1, 30, 31]) {
          assert.equal(crop[i * 32 + j], 1);
          assert.equal(crop[j * 32 + i], 1);
        }
      }
    }
  });
}

/** A page with shadowed, tinted paper and three glyphs in red, blue and green ink. */
function colourfulPage(): Image {
  const width = 420;
  const height = 200;
  const glyphs = [
    [Float32Array.of(0, 0, 0, 1, 0.7, 1)], // L
    [Float32Array.of(0, 0, 1, 0), Float32Array.of(0.5, 0, 0.5, 1)], // T
    [Float32Array.of(0, 1, 0.4, 0, 0.8, 1), Float32Array.of(0.2, 0.5, 0.6, 0.5)], // A
  ].map((strokes) => renderGlyph(strokes, { size: 80, penWidth: 5 }));
  const inks = [[200, 30, 30], [30, 40, 160], [20, 130, 40]];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Warm paper, lit from the left, with a soft shadow across the right half.
      const light = 0.95 - 0.35 * x / width - (x > 230 ? 0.25 * Math.min(1, (x - 230) / 40) : 0);
      const paper = [250 * light, 235 * light, 205 * light];
      const glyph = Math.floor((x - 40) / 120);
      const gx = x - 40 - 120 * glyph;
      const gy = y - 60;
      const cover = glyph >= 0 && glyph < 3 && gx < 80 && gy >= 0 && gy < 80
        ? 1 - glyphs[glyph][gy * 80 + gx]
        : 0;
      for (let c = 0; c < 3; c++) {
        const ink = glyph >= 0 && glyph < 3 ? inks[glyph][c] * light : 0;
        data[(y * width + x) * 3 + c] = Math.round(paper[c] * (1 - cover) + ink * cover);
      }
    }
  }
  return new Image(width, height, { colorModel: "RGB", data });
}

Deno.test("findLetters: coloured inks on shadowed, tinted paper", () => {
  const page = findLetters(colourfulPage());
  assert.equal(page.boxes.length, 3);
  // Left to right, each box inside its 80-pixel glyph cell and most of it.
  page.boxes.sort((a, b) => a[1] - b[1]).forEach(([y1, x1, y2, x2], k) => {
    assert.ok(x1 >= 40 + 120 * k && x2 <= 120 + 120 * k, `box ${k} x ${x1}..${x2}`);
    assert.ok(y1 >= 60 && y2 <= 140 && y2 - y1 > 50, `box ${k} y ${y1}..${y2}`);
  });
});

Deno.test("findLetters: a blank, unevenly lit page gives no boxes", () => {
  const width = 300;
  const height = 200;
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    // A lighting gradient plus deterministic grain of ±6 grey levels.
    data[i] = Math.round(140 + 90 * (i % width) / width + ((i * 7919) % 13) - 6);
  }
  const page = findLetters(new Image(width, height, { colorModel: "GREY", data }));
  assert.deepEqual(page.boxes, []);
  assert.ok(page.binary.every((v) => v === 1));
  assert.deepEqual(cropLetters(page, page.boxes).shape, [0, 1024]);
});

Deno.test("findLetters: tiny and thin images, 16-bit colour, transparency", () => {
  for (const [width, height] of [[1, 1], [2, 3], [5, 300], [300, 5]]) {
    const data = new Uint8Array(width * height).fill(220);
    const page = findLetters(new Image(width, height, { colorModel: "GREY", data }));
    assert.deepEqual(page.boxes, [], `${width} × ${height}`);
  }
  // A black bar, 3 × 20 pixels, on white 16-bit RGBA.
  const rgba = new Uint16Array(50 * 40 * 4).fill(65535);
  for (let y = 10; y < 30; y++) rgba.fill(0, (y * 50 + 20) * 4, (y * 50 + 23) * 4);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 65535;
  const bar = findLetters(new Image(50, 40, { colorModel: "RGBA", bitDepth: 16, data: rgba }));
  assert.deepEqual(bar.boxes, [[10, 20, 30, 23]]);
  // Fully transparent pixels are paper, whatever their colour values say.
  const clear = new Uint8Array(50 * 40 * 4);
  assert.deepEqual(findLetters(new Image(50, 40, { colorModel: "RGBA", data: clear })).boxes, []);
});
