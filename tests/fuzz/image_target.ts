/**
 * The OCR image target: small PNG and JPEG crops of the sample photos (made
 * here, so each `readText` is quick) are damaged and fed to `decodeImage`;
 * heavy cases also read the decoded image with `readText`. Besides the
 * shared mutations there are format-aware ones: hostile sizes in a JPEG's
 * start-of-frame or a PNG's IHDR, and damage behind a PNG's valid deflate
 * layer (where the filter bytes and scanlines live).
 *
 * @module
 */

import { decode, encodeJpeg, encodePng, type Image } from "image-js";
import { compress, concatBytes, decompress } from "../../formats/decompress.ts";
import { crc32 } from "../../formats/crc32.ts";
import { decodeImage, loadOcrModel, readText } from "../../ocr/mod.ts";
import { DATA_DIR } from "../shared_data.ts";
import { latin1, type Mutant, mutate, pick } from "./mutate.ts";
import type { Rng } from "../../autograd/rng.ts";
import type { FuzzTarget, PreparedTarget } from "./target.ts";

/** decodeImage's default cap: 100 megapixels, 4 bytes each once decoded. */
const MAX_DECODED_BYTES = 4 * 100_000_000;

const DICTIONARY = [
  "\xff\xd8",
  "\xff\xd9",
  "\xff\xc0\x00\x11\x08\xff\xff\xff\xff\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01",
  "\xff\xc2",
  "\xff\xc4",
  "\xff\xda",
  "\xff\xdd\x00\x04\x00\x01",
  "\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08",
  "\x00\x00\x00\x0dIHDR",
  "IDAT",
  "IEND",
  "PLTE",
  "tRNS",
].map(latin1);

/** A crop of `photo` at fractions of its size, resized so its longer side is `side`. */
function crop(photo: Image, at: [number, number], size: [number, number], side: number): Image {
  const width = Math.round(size[0] * photo.width);
  const height = Math.round(size[1] * photo.height);
  const piece = photo.crop({
    origin: { column: Math.round(at[0] * photo.width), row: Math.round(at[1] * photo.height) },
    width,
    height,
  });
  const scale = side / Math.max(width, height);
  return piece.resize({
    width: Math.max(16, Math.round(width * scale)),
    height: Math.max(16, Math.round(height * scale)),
  });
}

/** The first APP1 (EXIF) segment of a JPEG file, if any. */
function exifSegment(jpeg: Uint8Array): Uint8Array | undefined {
  for (let at = 2; at + 4 <= jpeg.length && jpeg[at] === 0xff;) {
    const length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (jpeg[at + 1] === 0xe1) return jpeg.subarray(at, at + 2 + length);
    if (jpeg[at + 1] === 0xda) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/** Small PNG and JPEG seeds: grey and colour, 48–200 px, one JPEG carrying a phone's EXIF block. */
async function imageSeeds(): Promise<Uint8Array[]> {
  const letters = await Deno.readFile(`${DATA_DIR}/images/02_letters.jpg`);
  const haiku = decode(await Deno.readFile(`${DATA_DIR}/images/03_haiku.jpg`));
  const photo = decode(letters);
  const a = crop(photo, [0.33, 0.33], [0.19, 0.3], 128);
  const b = crop(haiku, [0.2, 0.3], [0.4, 0.2], 200);
  const c = crop(photo, [0.5, 0.5], [0.06, 0.1], 48);
  const withExif = encodeJpeg(b, { quality: 70 });
  const exif = exifSegment(letters);
  return [
    encodePng(a.grey()),
    encodePng(c),
    encodeJpeg(a, { quality: 80 }),
    exif ? concatBytes([withExif.subarray(0, 2), exif, withExif.subarray(2)]) : withExif,
    encodePng(b.grey()),
  ];
}

/** The chunks of a PNG as [offset, length, type] (offset of the length field). */
function pngChunks(png: Uint8Array): [number, number, string][] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: [number, number, string][] = [];
  for (let at = 8; at + 12 <= png.length;) {
    const length = view.getUint32(at);
    chunks.push([at, length, String.fromCharCode(...png.subarray(at + 4, at + 8))]);
    at += 12 + length;
  }
  return chunks;
}

/** A PNG chunk with a correct CRC. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(latin1(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Inflates the PNG's image data, damages it, deflates it again into one valid IDAT. */
async function mutateBehindDeflate(png: Uint8Array, rng: Rng): Promise<Mutant> {
  const chunks = pngChunks(png);
  const idat = chunks.filter(([, , type]) => type === "IDAT");
  if (idat.length === 0) return mutate(png, rng);
  const zlib = concatBytes(idat.map(([at, length]) => png.subarray(at + 8, at + 8 + length)));
  const raw = await decompress(zlib, { format: "deflate", maxBytes: 1 << 26, what: "seed" });
  const damaged = mutate(raw, rng);
  const first = idat[0][0];
  const last = idat[idat.length - 1];
  return {
    bytes: concatBytes([
      png.subarray(0, first),
      chunk("IDAT", await compress(damaged.bytes, "deflate")),
      png.subarray(last[0] + 12 + last[1]),
    ]),
    how: `idat(${damaged.how})`,
  };
}

const SIZES = [0, 1, 15, 16, 17, 4096, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0xffffffff];

/** Writes hostile dimensions into a JPEG start-of-frame or a PNG IHDR (CRC fixed half the time). */
function hostileSize(bytes: Uint8Array, rng: Rng): Mutant {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  const [w, h] = [pick(rng, SIZES), pick(rng, SIZES)];
  if (out[0] === 0x89) {
    view.setUint32(16, w);
    view.setUint32(20, h);
    if (rng.next() < 0.5) view.setUint32(29, crc32(out.subarray(12, 29)));
    return { bytes: out, how: `ihdr(${w}x${h})` };
  }
  for (let at = 2; at + 9 <= out.length && out[at] === 0xff;) {
    if (out[at + 1] >= 0xc0 && out[at + 1] <= 0xc2) {
      view.setUint16(at + 5, h & 0xffff);
      view.setUint16(at + 7, w & 0xffff);
      return { bytes: out, how: `sof(${w & 0xffff}x${h & 0xffff})` };
    }
    at += 2 + view.getUint16(at + 2);
  }
  return mutate(bytes, rng);
}

/** The image target. */
export const IMAGE_TARGET: FuzzTarget = {
  name: "image",
  description: "PNG/JPEG crops of the sample photos through decodeImage, heavy cases readText",
  boundText: "decoded pixels ≤ decodeImage's 100-megapixel cap (4 × 10⁸ bytes), not a multiple",
  async prepare(): Promise<PreparedTarget> {
    const [seeds, model] = await Promise.all([imageSeeds(), loadOcrModel()]);
    return {
      seeds,
      mutant(rng) {
        const seed = pick(rng, seeds);
        const choice = rng.next();
        if (choice < 0.1) return Promise.resolve(hostileSize(seed, rng));
        if (choice < 0.3 && seed[0] === 0x89) return mutateBehindDeflate(seed, rng);
        return Promise.resolve(mutate(seed, rng, { others: seeds, dictionary: DICTIONARY }));
      },
      async run(bytes, { heavy }) {
        const image = decodeImage(bytes, { name: "fuzz.img" });
        if (heavy) await readText(image, { model });
        const raw = image.getRawImage();
        return raw.data.byteLength;
      },
      errorPrefix: "fuzz.img",
      bound: () => MAX_DECODED_BYTES,
      close: () => Promise.resolve(),
    };
  },
};
