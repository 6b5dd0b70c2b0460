/** The PNG encoder and the JPEG/PNG header reader. */

import assert from "node:assert/strict";
import { encodeJpeg, Image } from "image-js";
import { FormatError } from "../../autograd/errors.ts";
import { encodePng } from "../../formats/png.ts";
import { readImageHeader } from "../../formats/image_header.ts";
import { decodeChecked } from "../viz/png_helpers.ts";

Deno.test("encodePng / readImageHeader: grey, RGB, RGBA round trip through a decoder", async () => {
  for (const channels of [1, 3, 4] as const) {
    const pixels = Uint8Array.from({ length: 5 * 3 * channels }, (_, i) => (i * 37) % 256);
    const png = await encodePng({ width: 5, height: 3, channels, pixels });
    const image = decodeChecked(png, 5, 3);
    assert.deepEqual(image.getPixel(4, 2), Array.from(pixels.subarray(14 * channels)));
    assert.deepEqual(readImageHeader(png), {
      format: "png",
      width: 5,
      height: 3,
      channels,
      bitDepth: 8,
    });
  }
  await assert.rejects(
    () => encodePng({ width: 2, height: 2, channels: 1, pixels: new Uint8Array(3) }),
    /3 bytes do not fill 2×2×1/,
  );
  assert.throws(() => readImageHeader(new Uint8Array(40), { name: "x.png" }), /x\.png: not a PNG/);
});

Deno.test("readImageHeader: JPEG size and components from the frame header, no decoding", () => {
  const colour = new Image(40, 30, { colorModel: "RGB" }).fill([10, 200, 30]);
  assert.deepEqual(readImageHeader(encodeJpeg(colour)), {
    format: "jpeg",
    width: 40,
    height: 30,
    channels: 3,
    bitDepth: 8,
  });
});

Deno.test("readImageHeader: empty, cut-short and impossible headers name the file", async () => {
  const png = await encodePng({ width: 2, height: 2, channels: 1, pixels: new Uint8Array(4) });
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(0), /^a: the file is empty$/],
    [png.slice(0, 20), /^a: PNG without an IHDR chunk/],
    [Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), /^a: JPEG without a frame header/],
    [Uint8Array.of(0xff, 0xd8, 0x00, 0x00, 0x00, 0x00), /^a: JPEG marker expected at byte 2/],
  ];
  const badColour = png.slice();
  badColour[25] = 5;
  cases.push([badColour, /^a: PNG colour type 5 does not exist/]);
  const empty = png.slice();
  new DataView(empty.buffer).setUint32(16, 0);
  cases.push([empty, /^a: PNG declares an empty 0×2 image/]);
  for (const [bytes, message] of cases) {
    assert.throws(
      () => readImageHeader(bytes, { name: "a" }),
      (e: Error) => e instanceof FormatError && message.test(e.message),
      String(message),
    );
  }
});
