/**
 * Hostile JPEGs against the luminance decoder: cut-short scans, broken
 * Huffman tables, segment lengths that lie, restart markers that are not
 * there, and headers claiming more pixels than allowed or than the file can
 * hold. Each must end in a `FormatError` naming the file, at once: no hang,
 * no allocation for pixels the file cannot have.
 */

import assert from "node:assert/strict";
import { encodeJpeg, Image } from "image-js";
import { FormatError } from "../../autograd/errors.ts";
import { decodeJpegLuma } from "../../formats/jpeg/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

/** A 64 × 48 noisy colour JPEG (4:4:4, no restart markers), as image-js writes them. */
const BASE = encodeJpeg(
  new Image(64, 48, {
    colorModel: "RGB",
    data: new Uint8Array(64 * 48 * 3).map((_, i) => (i * 7919) % 251),
  }),
);

/** Index of the first `FF marker` in `bytes`. */
function markerAt(bytes: Uint8Array, marker: number): number {
  const at = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === marker);
  assert.ok(at >= 0, `no FF${marker.toString(16)} in the test file`);
  return at;
}

/** `BASE` with `edit` applied to a copy. */
function edited(edit: (bytes: Uint8Array) => void): Uint8Array {
  const bytes = BASE.slice();
  edit(bytes);
  return bytes;
}

/** Expects decoding `bytes` as `name` to fail fast with a FormatError naming it and matching `reason`. */
function rejects(name: string, bytes: Uint8Array, reason: RegExp): void {
  const started = performance.now();
  assert.throws(
    () => decodeJpegLuma(bytes, { name, denominator: 2 }),
    (error: Error) => {
      assert.ok(error instanceof FormatError, `${name}: ${error.name}: ${error.message}`);
      assert.ok(error.message.startsWith(`${name}: `), error.message);
      assert.match(error.message, reason);
      return true;
    },
  );
  assert.ok(performance.now() - started < 2000, `${name} took too long`);
}

Deno.test("decodeJpegLuma: the untouched test file decodes", () => {
  assert.equal(decodeJpegLuma(BASE, { denominator: 2 })!.width, 32);
});

Deno.test("decodeJpegLuma: scan data cut short", () => {
  const scan = markerAt(BASE, 0xda);
  rejects("half.jpg", BASE.subarray(0, (scan + BASE.length) >> 1), /scan data ends early/);
  rejects("no-data.jpg", BASE.subarray(0, scan + 14), /scan data ends early \(after 0 of/);
});

Deno.test("decodeJpegLuma: broken Huffman tables and codes they lack", () => {
  const dht = markerAt(BASE, 0xc4);
  // Three codes of length 1 cannot exist.
  rejects("oversubscribed.jpg", edited((b) => b[dht + 5] = 3), /more codes than fit/);
  rejects("class.jpg", edited((b) => b[dht + 4] = 0x20), /Huffman table with class 2/);
  // A segment too short for the symbols its first table counts.
  rejects("counts.jpg", edited((b) => b.set([0, 24], dht + 2)), /does not fit its segment/);
  // Scan data of all one bits (FF stuffed as FF 00): no code of the standard tables.
  const data = markerAt(BASE, 0xda) + 14;
  const ones = edited((b) => {
    for (let i = data; i + 1 < data + 64; i += 2) b.set([0xff, 0], i);
  });
  rejects("ones.jpg", ones, /code its Huffman table lacks/);
  // The scan asks for AC table 3, never defined.
  rejects("slot.jpg", edited((b) => b[markerAt(b, 0xda) + 6] = 0x03), /never defined/);
});

Deno.test("decodeJpegLuma: segment lengths that lie", () => {
  const sof = markerAt(BASE, 0xc0);
  rejects("sof.jpg", edited((b) => b[sof + 3] = 20), /frame header of 18 bytes for 3 components/);
  const sos = markerAt(BASE, 0xda);
  rejects("sos.jpg", edited((b) => b[sos + 3] = 14), /scan header of 12 bytes for 3 components/);
  // 16-bit values (128 bytes) in a segment sized for 8-bit ones.
  const dqt = markerAt(BASE, 0xdb);
  rejects(
    "dqt.jpg",
    edited((b) => b[dqt + 4] = 0x10),
    /quantisation table \d .* does not fit its segment/,
  );
  // A table segment declaring more bytes than the file has left.
  const dht = markerAt(BASE, 0xc4);
  const past = BASE.slice(0, dht + 30);
  past.set([0xff, 0xf0], dht + 2);
  rejects("past.jpg", past, /segment FFC4 at byte \d+ declares 65520 bytes, but 28 remain/);
  rejects("short.jpg", edited((b) => b.set([0, 1], dht + 2)), /declares 1 bytes/);
});

Deno.test("decodeJpegLuma: a restart marker that is not there", async () => {
  // 01_list.jpg restarts every 284 MCUs; its first restart marker becomes an end of image.
  const photo = await Deno.readFile(`${DATA_DIR}/images/01_list.jpg`);
  photo[markerAt(photo, 0xd0) + 1] = 0xd9;
  rejects("restart.jpg", photo, /restart marker expected at byte \d+, found marker FFD9/);
});

Deno.test("decodeJpegLuma: headers claiming too many pixels fail before allocating", () => {
  const sof = markerAt(BASE, 0xc0);
  const claim = (width: number, height: number) =>
    edited((b) => b.set([height >> 8, height & 255, width >> 8, width & 255], sof + 5));
  rejects("huge.jpg", claim(12000, 10000), /12000 × 10000 pixels is more than the 100000000/);
  rejects("liar.jpg", claim(9000, 9000), /9000 × 9000 pixels cannot fit in \d+ bytes/);
  // A second frame header, after the one the checks read, claiming 65535 × 65535.
  const length = (BASE[sof + 2] << 8) | BASE[sof + 3];
  const frame = BASE.slice(sof, sof + 2 + length);
  frame.set([0xff, 0xff, 0xff, 0xff], 5);
  const twice = Uint8Array.of(
    ...BASE.subarray(0, sof + 2 + length),
    ...frame,
    ...BASE.subarray(sof + 2 + length),
  );
  rejects("twice.jpg", twice, /two frame headers/);
});

Deno.test("decodeJpegLuma: not a JPEG, empty, or a scan before any frame", () => {
  rejects("empty.jpg", new Uint8Array(0), /the file is empty/);
  rejects("text.jpg", new TextEncoder().encode("TO DO LIST"), /not a PNG or JPEG/);
  const png = Uint8Array.of(
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    0,
    0,
    0,
    13,
    73,
    72,
    68,
    82,
    0,
    0,
    0,
    64,
    0,
    0,
    0,
    48,
    8,
    0,
  );
  rejects("image.png", png, /not a JPEG image/);
  rejects(
    "frameless.jpg",
    Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9),
    /without a frame header/,
  );
  assert.throws(
    () => decodeJpegLuma(BASE, { name: "x.jpg", denominator: 3 as 2 }),
    /x\.jpg: cannot decode at 1\/3 scale/,
  );
});
