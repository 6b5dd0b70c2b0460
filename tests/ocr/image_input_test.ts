import assert from "node:assert/strict";
import { encodeJpeg, encodePng, Image } from "image-js";
import { FormatError } from "../../autograd/errors.ts";
import { decodeImage, readImage, readImageHeader } from "../../ocr/mod.ts";

/** Writes `bytes` to a file in a fresh temp dir, runs `body(path)`, removes the dir. */
async function withFile(
  name: string,
  bytes: Uint8Array,
  body: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ocr_input_test_" });
  try {
    const path = `${dir}/${name}`;
    await Deno.writeFile(path, bytes);
    await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Expects `readImage(path)` to fail with a FormatError naming the file and matching `reason`. */
async function rejectsFile(name: string, bytes: Uint8Array, reason: RegExp): Promise<void> {
  await withFile(name, bytes, async (path) => {
    await assert.rejects(readImage(path), (error: Error) => {
      assert.ok(error instanceof FormatError, `${error.name}: ${error.message}`);
      assert.ok(error.message.startsWith(`${path}: `), error.message);
      assert.match(error.message, reason);
      return true;
    });
  });
}

const grey = (width: number, height: number) =>
  new Image(width, height, { colorModel: "GREY", data: new Uint8Array(width * height).fill(200) });

Deno.test("readImage: a text file is not an image", async () => {
  await rejectsFile("notes.jpg", new TextEncoder().encode("TO DO LIST\n"), /not a PNG or JPEG/);
});

Deno.test("readImage: an empty file", async () => {
  await rejectsFile("empty.png", new Uint8Array(0), /empty/);
});

Deno.test("readImage: a missing file", async () => {
  const path = "/nonexistent/inkling/photo.jpg";
  await assert.rejects(readImage(path), (error: Error) => {
    assert.ok(error instanceof FormatError);
    assert.ok(error.message.includes(path));
    return true;
  });
});

Deno.test("readImage: a 1 × 1 image is too small", async () => {
  await rejectsFile("dot.png", encodePng(grey(1, 1)), /1 × 1 image is too small/);
});

Deno.test("readImage: over 100 megapixels is refused from the header, before decoding", async () => {
  // A PNG that is nothing but a signature and an IHDR claiming 20000 × 6000.
  const png = encodePng(grey(16, 16)).slice(0, 33);
  new DataView(png.buffer).setUint32(16, 20000);
  new DataView(png.buffer).setUint32(20, 6000);
  await rejectsFile("huge.png", png, /20000 × 6000 = 120\.0 megapixels .* refused before decoding/);
  // A JPEG whose frame header (SOF0) claims 12000 × 10000, with no image data at all.
  const jpeg = Uint8Array.of(
    0xff,
    0xd8, // start of image
    0xff,
    0xc0,
    0,
    17,
    8, // SOF0, length 17, 8 bits
    0x27,
    0x10, // height 10000
    0x2e,
    0xe0, // width 12000
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  );
  await rejectsFile("huge.jpg", jpeg, /12000 × 10000 = 120\.0 megapixels/);
});

Deno.test("readImage: truncated and corrupt files", async () => {
  const jpeg = encodeJpeg(grey(64, 48).convertColor("RGB"));
  await rejectsFile("cut.jpg", jpeg.subarray(0, 4), /JPEG without a frame header/);
  await rejectsFile("half.jpg", jpeg.subarray(0, jpeg.length >> 1), /cannot decode this JPEG/);
  const png = encodePng(grey(64, 48));
  await rejectsFile("cut.png", png.subarray(0, 20), /PNG without an IHDR/);
  const scrambled = png.slice();
  for (let i = 40; i < scrambled.length; i++) scrambled[i] = (i * 7) & 255;
  await rejectsFile("scrambled.png", scrambled, /cannot decode this PNG/);
});

Deno.test("readImage: a valid PNG and JPEG decode with the header's size", async () => {
  const image = grey(40, 30);
  for (
    const [name, bytes] of [["a.png", encodePng(image)], [
      "a.jpg",
      encodeJpeg(image.convertColor("RGB")),
    ]] as const
  ) {
    await withFile(name, bytes, async (path) => {
      const decoded = await readImage(path);
      assert.equal(decoded.width, 40);
      assert.equal(decoded.height, 30);
    });
  }
  assert.deepEqual(readImageHeader(encodePng(image)), {
    format: "png",
    width: 40,
    height: 30,
    channels: 1,
    bitDepth: 8,
  });
});

Deno.test("decodeImage: names the given label, and limits are options", () => {
  assert.throws(
    () => decodeImage(encodePng(grey(40, 30)), { name: "upload #3", maxPixels: 1000 }),
    /^FormatError: upload #3: 40 × 30 = 1200 pixels is more than the 1000 pixels allowed/,
  );
  assert.equal(decodeImage(encodePng(grey(8, 8)), { minSide: 8 }).width, 8);
});

/** `jpeg` with an EXIF segment holding only the orientation tag inserted after its start marker. */
function withOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  // "Exif\0\0", then a big-endian TIFF header and one IFD with one SHORT entry.
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0, orientation, 0, 0, 0, 0, 0, 0];
  const length = payload.length + 2;
  const segment = [0xff, 0xe1, length >> 8, length & 255, ...payload];
  return Uint8Array.of(...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2));
}

Deno.test("decodeImage: applies the EXIF orientation of phone photos", () => {
  // 48 × 32, black in the top-left 16 × 16 corner, white elsewhere.
  const data = new Uint8Array(48 * 32 * 3).fill(255);
  for (let y = 0; y < 16; y++) data.fill(0, (y * 48) * 3, (y * 48 + 16) * 3);
  const jpeg = encodeJpeg(new Image(48, 32, { colorModel: "RGB", data }));
  const dark = (image: Image, x: number, y: number) => image.getValue(x, y, 0) < 128;

  const rotated = decodeImage(withOrientation(jpeg, 6)); // 6: rotate 90° clockwise to view
  assert.equal(rotated.width, 32);
  assert.equal(rotated.height, 48);
  assert.ok(dark(rotated, 31 - 4, 4) && !dark(rotated, 4, 4));

  const kept = decodeImage(withOrientation(jpeg, 6), { applyOrientation: false });
  assert.equal(kept.width, 48);
  assert.ok(dark(kept, 4, 4));
});

Deno.test("decodeImage: a second frame header claiming gigapixels fails fast, not in 12 GB", () => {
  // Found by fuzzing: the first frame header (read before decoding) is small, a later
  // one inside the file claims 65535 × 65535. The decoder's own limits must stay on.
  const jpeg = encodeJpeg(grey(64, 64));
  const at = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
  const length = (jpeg[at + 2] << 8) | jpeg[at + 3];
  const frame = jpeg.slice(at, at + 2 + length);
  frame.set([0xff, 0xff, 0xff, 0xff], 5); // height and width
  const hostile = Uint8Array.of(
    ...jpeg.subarray(0, at + 2 + length),
    ...frame,
    ...jpeg.subarray(at + 2 + length),
  );
  const started = performance.now();
  assert.throws(
    () => decodeImage(hostile, { name: "twice.jpg" }),
    (error: Error) =>
      error instanceof FormatError && /^twice\.jpg: cannot decode this JPEG/.test(error.message),
  );
  assert.ok(performance.now() - started < 2000);
});
