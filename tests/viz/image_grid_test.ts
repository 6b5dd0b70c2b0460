import assert from "node:assert/strict";
import { Tensor } from "../../autograd/tensor.ts";
import { ShapeError } from "../../autograd/errors.ts";
import { imageGrid, imageGridRaster, sideBySide, svgSize, svgToPng } from "../../viz/mod.ts";
import { colourCount, decodeChecked } from "./png_helpers.ts";

/** A [1024, 64] "weight matrix": column j holds tile j, values j·1000 + (pixel index)·(j+1). */
function weights(): Tensor {
  const data = new Float32Array(1024 * 64);
  for (let p = 0; p < 1024; p++) {
    for (let j = 0; j < 64; j++) data[p * 64 + j] = j * 1000 + p * (j + 1);
  }
  return new Tensor(data, [1024, 64]);
}

function grey(raster: { width: number; pixels: Uint8Array }, x: number, y: number): number[] {
  const i = (y * raster.width + x) * 3;
  return Array.from(raster.pixels.subarray(i, i + 3));
}

Deno.test("imageGrid: 64 tiles of 32×32 from a [1024, 64] matrix, each tile normalised", async () => {
  const gap = 2;
  const options = { width: 32, height: 32, columns: 8, layout: "columns", gap } as const;
  const raster = imageGridRaster(weights(), options);
  const side = 8 * 32 + 9 * gap;
  assert.deepEqual([raster.width, raster.height], [side, side]);
  for (const j of [0, 9, 63]) {
    const left = gap + (j % 8) * (32 + gap);
    const top = gap + Math.floor(j / 8) * (32 + gap);
    // Pixel 0 is the tile's minimum and pixel 1023 its maximum, whatever j·1000 offset it has.
    assert.deepEqual(grey(raster, left, top), [0, 0, 0], `tile ${j} min is black`);
    assert.deepEqual(grey(raster, left + 31, top + 31), [255, 255, 255], `tile ${j} max is white`);
    // Pixel (row 16, col 0) = index 512 → 512/1023 of the range.
    const mid = Math.round(255 * 512 / 1023);
    assert.deepEqual(grey(raster, left, top + 16), [mid, mid, mid]);
  }
  // The gap keeps the background colour.
  assert.deepEqual(grey(raster, 0, 0), [70, 110, 170]);
  // The PNG holds exactly the raster.
  const png = await imageGrid(weights(), options);
  const image = decodeChecked(png, side, side);
  assert.deepEqual(image.getPixel(gap + 31, gap + 31), [255, 255, 255]);
  assert.deepEqual(image.getPixel(gap + 34, gap), [0, 0, 0]);
  assert.ok(colourCount(image) > 200);
});

Deno.test("imageGrid: global normalisation, rows layout, arrays, transpose, scale", () => {
  const a = Float32Array.from([0, 1, 2, 3]); // 2×2 tiles
  const b = Float32Array.from([4, 5, 6, 8]);
  const common = { width: 2, height: 2, gap: 0, columns: 2 } as const;
  const global = imageGridRaster([a, b], { ...common, normalize: "global" });
  assert.deepEqual(grey(global, 0, 0), [0, 0, 0]);
  assert.deepEqual(grey(global, 3, 1), [255, 255, 255]);
  assert.deepEqual(grey(global, 1, 1)[0], Math.round(255 * 3 / 8));
  // A [N, H·W] tensor in rows layout draws the same as the list of arrays.
  const tensor = new Tensor(Float32Array.from([...a, ...b]), [2, 4]);
  assert.deepEqual(imageGridRaster(tensor, { ...common, normalize: "global" }), global);
  // transpose: stored column-major, so value index 1 lands at (row 1, col 0).
  const transposed = imageGridRaster([a], { width: 2, height: 2, gap: 0, transpose: true });
  assert.deepEqual(grey(transposed, 0, 1)[0], 85); // 1/3 of 255
  assert.deepEqual(grey(transposed, 1, 0)[0], 170);
  // scale 3: every pixel becomes a 3×3 block; gap 1 is scaled too.
  const scaled = imageGridRaster([a], { width: 2, height: 2, gap: 1, scale: 3 });
  assert.deepEqual([scaled.width, scaled.height], [12, 12]);
  assert.deepEqual(grey(scaled, 3, 3), [0, 0, 0]);
  assert.deepEqual(grey(scaled, 5, 5), [0, 0, 0]);
  assert.deepEqual(grey(scaled, 6, 3)[0], 85);
});

Deno.test("imageGrid: constant tiles are mid-grey, NaN pixels red, none clamps", () => {
  const raster = imageGridRaster([Float32Array.from([5, 5, NaN, 5])], {
    width: 2,
    height: 2,
    gap: 0,
  });
  assert.deepEqual(grey(raster, 0, 0), [128, 128, 128]);
  assert.deepEqual(grey(raster, 0, 1), [255, 0, 0]);
  const none = imageGridRaster([Float32Array.from([-1, 0.5, 1, 2])], {
    width: 4,
    height: 1,
    gap: 0,
    normalize: "none",
  });
  assert.deepEqual([0, 1, 2, 3].map((x) => grey(none, x, 0)[0]), [0, 128, 255, 255]);
});

Deno.test("imageGrid: wrong shapes name the fix", () => {
  assert.throws(
    () => imageGridRaster(weights(), { width: 32, height: 32 }),
    (e: Error) => e instanceof ShapeError && /layout: "columns"/.test(e.message),
  );
  assert.throws(
    () => imageGridRaster([new Float32Array(4), new Float32Array(3)], { width: 2, height: 2 }),
    /image 1 has 3 values, not 4/,
  );
  assert.throws(() => imageGridRaster([], { width: 2, height: 2 }), /no images/);
  assert.throws(
    () => imageGridRaster([new Float32Array(4)], { width: 2, height: 2, scale: 1.5 }),
    /scale must be a positive integer/,
  );
});

Deno.test("sideBySide: titled panels embed the PNGs and rasterise", async () => {
  const tile = (v: number) => Float32Array.from({ length: 64 }, (_, i) => (i * v) % 7);
  const before = await imageGrid([tile(1), tile(2)], { width: 8, height: 8, scale: 4 });
  const after = await imageGrid([tile(3), tile(5)], { width: 8, height: 8, scale: 4 });
  const svg = sideBySide(
    [{ title: "after initialisation", image: before }, { title: "after training", image: after }],
    { title: "First-layer weights" },
  );
  assert.ok(svg.includes(">after initialisation</text>"));
  assert.ok(svg.includes(">after training</text>"));
  assert.equal(svg.match(/href="data:image\/png;base64,/g)?.length, 2);
  const { width, height } = svgSize(svg);
  assert.ok(width > 2 * 80 && height > 80);
  const image = decodeChecked(await svgToPng(svg, { scale: 1 }), width, height);
  assert.ok(colourCount(image) > 5);
  assert.throws(
    () => sideBySide([{ title: "broken", image: new Uint8Array(50) }]),
    /panel "broken": not a PNG/,
  );
});
