/** The floor on a file's size from the pixels its header declares (`minimumImageBytes`). */

import assert from "node:assert/strict";
import { encodeJpeg, Image } from "image-js";
import { FormatError } from "../../autograd/errors.ts";
import { encodePng } from "../../formats/png.ts";
import { minimumImageBytes } from "../../formats/image_header.ts";
import { DATA_DIR } from "../shared_data.ts";

/** A JPEG that is only a start marker and a frame header: `marker`, size, components `[h, v]`. */
function frameOnly(
  marker: number,
  size: { width: number; height: number },
  sampling: [number, number][],
): Uint8Array {
  const { width, height } = size;
  const components = sampling.flatMap(([h, v], id) => [id + 1, (h << 4) | v, 0]);
  const length = 8 + components.length;
  return Uint8Array.of(
    0xff,
    0xd8,
    0xff,
    marker,
    length >> 8,
    length & 255,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    sampling.length,
    ...components,
  );
}

Deno.test("minimumImageBytes: JPEG floors per frame type and sampling", () => {
  const size = { width: 10000, height: 10000 };
  // Baseline: 2 bits per 8 × 8 block of the full-resolution component (1250 × 1250 blocks).
  assert.equal(minimumImageBytes(frameOnly(0xc0, size, [[1, 1]])), 390625);
  // 4:2:0 colour: the luma component is still at full resolution.
  assert.equal(minimumImageBytes(frameOnly(0xc0, size, [[2, 2], [1, 1], [1, 1]])), 390625);
  // Progressive: 1 bit per block.
  assert.equal(minimumImageBytes(frameOnly(0xc2, size, [[1, 1]])), 195313);
  // Edges: 17 × 9 pixels are 3 × 2 blocks.
  assert.equal(minimumImageBytes(frameOnly(0xc0, { width: 17, height: 9 }, [[1, 1]])), 2);
  // Arithmetic coding has no such floor.
  assert.equal(minimumImageBytes(frameOnly(0xc9, size, [[1, 1]])), 0);
});

Deno.test("minimumImageBytes: PNG floor is deflate's best case over the stored samples", async () => {
  const png = await encodePng({
    width: 16,
    height: 16,
    channels: 1,
    pixels: new Uint8Array(256),
  });
  const claim = (width: number, height: number, bitDepth: number, colourType: number) => {
    const bytes = png.slice(0, 33);
    const view = new DataView(bytes.buffer);
    view.setUint32(16, width);
    view.setUint32(20, height);
    bytes[24] = bitDepth;
    bytes[25] = colourType;
    return minimumImageBytes(bytes);
  };
  assert.equal(claim(10000, 10000, 8, 0), Math.ceil(1e8 / 1032)); // grey
  assert.equal(claim(10000, 10000, 8, 6), Math.ceil(4e8 / 1032)); // RGBA
  assert.equal(claim(10000, 10000, 1, 0), Math.ceil(1e8 / 8 / 1032)); // 1-bit
  assert.equal(claim(10000, 10000, 8, 3), Math.ceil(1e8 / 1032)); // one palette index a pixel
});

Deno.test("minimumImageBytes: real encoders at their best never go below it", async () => {
  const side = 1200;
  const white = new Uint8Array(side * side).fill(255);
  const colour = new Uint8Array(3 * side * side).fill(255);
  const encoded = [
    await encodePng({ width: side, height: side, channels: 1, pixels: white }),
    await encodePng({ width: side, height: side, channels: 3, pixels: colour }),
    encodeJpeg(new Image(side, side, { colorModel: "RGB", data: colour }), { quality: 10 }),
  ];
  for (const bytes of encoded) {
    assert.ok(bytes.length >= minimumImageBytes(bytes), `${bytes.length} bytes`);
  }
  // The sample photos hold 5–10 pixels a byte; the floor allows 256.
  for (const name of ["01_list", "04_deep"]) {
    const photo = await Deno.readFile(`${DATA_DIR}/images/${name}.jpg`);
    assert.ok(photo.length > 20 * minimumImageBytes(photo), name);
  }
});

Deno.test("minimumImageBytes: header errors name the file, as readImageHeader's do", () => {
  assert.throws(
    () => minimumImageBytes(Uint8Array.of(1, 2, 3), { name: "odd.bin" }),
    (e: Error) => e instanceof FormatError && /^odd\.bin: not a PNG or JPEG/.test(e.message),
  );
});
