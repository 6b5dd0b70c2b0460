/**
 * The reduced-scale luminance decoder against the truth: on the sample phone
 * photos against jpeg-js's full decode shrunk by area, and on JPEGs built
 * here in every layout it must handle (grey, 4:4:4, 4:2:2, 4:2:0, 1 × 2,
 * 4:1:1, restart markers, one scan per component in either order, long
 * Huffman codes, partial MCUs, EXIF orientation) against the pixels they
 * encode. The builder below writes baseline JPEGs with quantisation 1, so a
 * decode is exact to rounding.
 */

import assert from "node:assert/strict";
import { decode as decodeJpegPixels } from "jpeg-js";
import { decodeJpegLuma, type GreyImage } from "../../formats/jpeg/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

/** One component's samples at its own resolution and its sampling factors. */
interface Component {
  h: number;
  v: number;
  samples: (x: number, y: number) => number;
}

/** How {@linkcode encodeBaseline} lays the file out. */
interface Layout {
  /** Components per scan, by index (default: all in one interleaved scan). */
  scans?: number[][];
  /** MCUs between restart markers (default none). */
  restartInterval?: number;
  /** Bits of every AC code (8 fits the decoder's one-read table, 10 does not). */
  acBits?: number;
  /** EXIF orientation tag to write (default none). */
  orientation?: number;
}

/** Zigzag position → natural index. */
const ZIGZAG = [
  0,
  1,
  8,
  16,
  9,
  2,
  3,
  10,
  17,
  24,
  32,
  25,
  18,
  11,
  4,
  5,
  12,
  19,
  26,
  33,
  40,
  48,
  41,
  34,
  27,
  20,
  13,
  6,
  7,
  14,
  21,
  28,
  35,
  42,
  49,
  56,
  57,
  50,
  43,
  36,
  29,
  22,
  15,
  23,
  30,
  37,
  44,
  51,
  58,
  59,
  52,
  45,
  38,
  31,
  39,
  46,
  53,
  60,
  61,
  54,
  47,
  55,
  62,
  63,
];
/** Every AC symbol: end of block, 16 zeros, then run r and size s (1–10); its code is its index. */
const AC_SYMBOLS = [
  0x00,
  0xf0,
  ...Array.from({ length: 160 }, (_, i) => (Math.floor(i / 10) << 4) | (i % 10 + 1)),
];

/** A baseline JPEG of `width × height` with quantisation 1 and fixed-length Huffman codes. */
function encodeBaseline(
  { width, height, components }: { width: number; height: number; components: Component[] },
  layout: Layout = {},
): Uint8Array {
  const out: number[] = [0xff, 0xd8];
  const segment = (marker: number, body: number[]) =>
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  if (layout.orientation !== undefined) {
    const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1];
    segment(0xe1, [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0, layout.orientation, 0, 0, 0, 0]);
  }
  segment(0xdb, [0, ...new Array(64).fill(1)]);
  segment(0xc0, [
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    components.length,
    ...components.flatMap((c, i) => [i + 1, (c.h << 4) | c.v, 0]),
  ]);
  const acBits = layout.acBits ?? 8;
  const counts = (bits: number, n: number) =>
    Array.from({ length: 16 }, (_, l) => l === bits - 1 ? n : 0);
  segment(0xc4, [0x00, ...counts(4, 12), ...Array.from({ length: 12 }, (_, i) => i)]);
  segment(0xc4, [0x10, ...counts(acBits, AC_SYMBOLS.length), ...AC_SYMBOLS]);
  if (layout.restartInterval) {
    segment(0xdd, [layout.restartInterval >> 8, layout.restartInterval & 255]);
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  for (const scan of layout.scans ?? [components.map((_, i) => i)]) {
    segment(0xda, [scan.length, ...scan.flatMap((i) => [i + 1, 0x00]), 0, 63, 0]);
    const bits = new BitWriter(out);
    const alone = scan.length === 1;
    const first = components[scan[0]];
    const mcusX = Math.ceil(width / (alone ? 8 * hMax / first.h : 8 * hMax));
    const mcusY = Math.ceil(height / (alone ? 8 * vMax / first.v : 8 * vMax));
    const predictions = scan.map(() => 0);
    for (let mcu = 0; mcu < mcusX * mcusY; mcu++) {
      if (layout.restartInterval && mcu > 0 && mcu % layout.restartInterval === 0) {
        bits.flush();
        out.push(0xff, 0xd0 + (mcu / layout.restartInterval - 1) % 8);
        predictions.fill(0);
      }
      scan.forEach((index, k) => {
        const c = components[index];
        const [across, down] = alone ? [1, 1] : [c.h, c.v];
        for (let by = 0; by < down; by++) {
          for (let bx = 0; bx < across; bx++) {
            const x0 = ((mcu % mcusX) * across + bx) * 8;
            const y0 = (Math.floor(mcu / mcusX) * down + by) * 8;
            // Samples past the component's edge repeat its last row and column.
            const cw = Math.ceil(width * c.h / hMax);
            const ch = Math.ceil(height * c.v / vMax);
            const block = forwardDct((x, y) =>
              c.samples(Math.min(cw - 1, x0 + x), Math.min(ch - 1, y0 + y)) - 128
            );
            predictions[k] = encodeBlock(bits, block, { prediction: predictions[k], acBits });
          }
        }
      });
    }
    bits.flush();
  }
  out.push(0xff, 0xd9);
  return Uint8Array.from(out);
}

/** The DCT coefficients of one 8 × 8 block, rounded, natural order. */
function forwardDct(sample: (x: number, y: number) => number): number[] {
  const c = (u: number) => (u === 0 ? Math.SQRT1_2 : 1);
  const basis = (k: number, u: number) => Math.cos((2 * k + 1) * u * Math.PI / 16);
  return Array.from({ length: 64 }, (_, i) => {
    const [v, u] = [i >> 3, i & 7];
    let sum = 0;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) sum += sample(x, y) * basis(x, u) * basis(y, v);
    }
    return Math.round(c(u) * c(v) * sum / 4);
  });
}

/** Writes one block; returns its DC value, the next block's prediction. */
function encodeBlock(
  bits: BitWriter,
  block: number[],
  { prediction, acBits }: { prediction: number; acBits: number },
): number {
  const magnitude = (value: number) => {
    const size = value === 0 ? 0 : Math.floor(Math.log2(Math.abs(value))) + 1;
    return { size, bits: value < 0 ? value + (1 << size) - 1 : value };
  };
  const dc = magnitude(block[0] - prediction);
  bits.write(dc.size, 4);
  bits.write(dc.bits, dc.size);
  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = block[ZIGZAG[k]];
    if (value === 0) {
      run++;
      continue;
    }
    for (; run >= 16; run -= 16) bits.write(AC_SYMBOLS.indexOf(0xf0), acBits);
    const ac = magnitude(value);
    bits.write(AC_SYMBOLS.indexOf((run << 4) | ac.size), acBits);
    bits.write(ac.bits, ac.size);
    run = 0;
  }
  if (run > 0) bits.write(0, acBits); // end of block (symbol 0x00 has code 0)
  return block[0];
}

/** Entropy-coded bits, most significant first, with FF bytes stuffed. */
class BitWriter {
  #out: number[];
  #buffer = 0;
  #count = 0;
  constructor(out: number[]) {
    this.#out = out;
  }
  write(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.#buffer = (this.#buffer << 1) | ((value >> i) & 1);
      if (++this.#count === 8) this.#emit();
    }
  }
  /** Pads the last byte with ones, as the standard asks before a marker. */
  flush(): void {
    while (this.#count > 0) this.write(1, 1);
  }
  #emit(): void {
    this.#out.push(this.#buffer);
    if (this.#buffer === 0xff) this.#out.push(0);
    this.#buffer = 0;
    this.#count = 0;
  }
}

/** A test pattern: a lit gradient with dark "pen strokes" and a grain, in 0–255. */
const pattern = (x: number, y: number) =>
  Math.round(
    90 + 120 * (x + y) / 200 - ((x % 23 < 3 || (y + x) % 31 < 2) ? 80 : 0) + ((x * 7 + y * 13) % 9),
  );

/**
 * `grey` against `truth` shrunk by area by `d`, the padding past the edge
 * repeating the last row and column: mean and largest absolute difference.
 */
function compare(
  grey: GreyImage,
  truth: { width: number; height: number; at: (x: number, y: number) => number },
  d: number,
): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let y = 0; y < grey.height; y++) {
    for (let x = 0; x < grey.width; x++) {
      let total = 0;
      for (let yy = y * d; yy < (y + 1) * d; yy++) {
        for (let xx = x * d; xx < (x + 1) * d; xx++) {
          total += truth.at(Math.min(truth.width - 1, xx), Math.min(truth.height - 1, yy));
        }
      }
      const diff = Math.abs(total / (d * d) - grey.grey[y * grey.width + x]);
      sum += diff;
      max = Math.max(max, diff);
    }
  }
  return { mean: sum / (grey.width * grey.height), max };
}

const photos = ["01_list", "02_letters", "03_haiku", "04_deep"];

Deno.test("decodeJpegLuma: the sample photos at 1/1 to 1/8 match jpeg-js shrunk by area", async () => {
  for (const name of photos) {
    const bytes = await Deno.readFile(`${DATA_DIR}/images/${name}.jpg`);
    const full = decodeJpegPixels(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
    const { width, height, data } = full;
    // Luminance as JPEG defines it (BT.601), from the decoded RGB.
    const at = (x: number, y: number) => {
      const i = (y * width + x) * 4;
      return 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
    };
    for (const d of [1, 2, 4, 8] as const) {
      const grey = decodeJpegLuma(bytes, { name, denominator: d })!;
      assert.deepEqual([grey.width, grey.height], [Math.ceil(width / d), Math.ceil(height / d)]);
      // Measured: mean 0.37–0.51 grey levels on every photo and scale, largest 4.8 (jpeg-js
      // rounds and clamps each full-size pixel and its RGB, this decoder only each mean).
      const { mean, max } = compare(grey, { width, height, at }, d);
      assert.ok(mean < 0.75 && max <= 6, `${name} at 1/${d}: mean ${mean}, max ${max}`);
    }
  }
});

/** Luma, Cb and Cr components with luma sampled `h × v` (chroma 1 × 1), or grey alone. */
function components(h: number, v: number, grey = false): Component[] {
  const luma = { h, v, samples: pattern };
  if (grey) return [luma];
  const chroma = (x: number, y: number) => (x * 3 + y * 5) % 256;
  return [luma, { h: 1, v: 1, samples: chroma }, { h: 1, v: 1, samples: chroma }];
}

Deno.test("decodeJpegLuma: every sampling layout, restart markers and scan order", () => {
  const cases: [string, Component[], Layout][] = [
    ["grey", components(1, 1, true), {}],
    ["grey sampled 2 × 2", components(2, 2, true), {}],
    ["4:4:4", components(1, 1), {}],
    ["4:2:2", components(2, 1), {}],
    ["4:2:0", components(2, 2), {}],
    ["1 × 2, as the sample photos", components(1, 2), { restartInterval: 5 }],
    ["4:1:1", components(4, 1), {}],
    ["4:2:0, restart every 3 MCUs", components(2, 2), { restartInterval: 3 }],
    ["one scan per component", components(2, 2), { scans: [[0], [1], [2]], restartInterval: 2 }],
    ["chroma scans first", components(2, 1), { scans: [[1], [2], [0]], restartInterval: 7 }],
    ["chroma interleaved, luma alone", components(1, 1), { scans: [[1, 2], [0]] }],
    ["10-bit AC codes", components(2, 2), { acBits: 10 }],
  ];
  // 61 × 37 leaves partial MCUs on the right and bottom in every layout.
  const [width, height] = [61, 37];
  for (const [label, parts, layout] of cases) {
    const bytes = encodeBaseline({ width, height, components: parts }, layout);
    // The luma as the encoder saw it: past the edge, the last row and column repeat.
    const at = (x: number, y: number) => pattern(Math.min(width - 1, x), Math.min(height - 1, y));
    const padded = { width: Infinity, height: Infinity, at };
    for (const d of [1, 2, 4, 8] as const) {
      const grey = decodeJpegLuma(bytes, { name: label, denominator: d });
      assert.ok(grey !== undefined, label);
      assert.deepEqual([grey.width, grey.height], [Math.ceil(width / d), Math.ceil(height / d)]);
      const { mean, max } = compare(grey, padded, d);
      // Quantisation 1 leaves only the coefficients' rounding: measured mean ≤ 0.25, max 1.
      assert.ok(mean < 0.5 && max <= 2, `${label} at 1/${d}: mean ${mean}, max ${max}`);
    }
  }
});

Deno.test("decodeJpegLuma: EXIF orientation turns the page upright", () => {
  // 48 × 32, black in the top-left 16 × 16 corner, white elsewhere.
  const corner = (x: number, y: number) => (x < 16 && y < 16 ? 0 : 255);
  // Where that corner is once each orientation 1–8 is applied.
  const corners = ["top-left", "top-right", "bottom-right", "bottom-left"];
  const expected = [0, 1, 2, 3, 0, 1, 2, 3].map((k) => corners[k]);
  for (let orientation = 1; orientation <= 8; orientation++) {
    const bytes = encodeBaseline(
      { width: 48, height: 32, components: [{ h: 1, v: 1, samples: corner }] },
      { orientation },
    );
    const grey = decodeJpegLuma(bytes, { denominator: 2 })!;
    const sideways = orientation >= 5;
    assert.deepEqual([grey.width, grey.height], sideways ? [16, 24] : [24, 16]);
    const dark = (x: number, y: number) => grey.grey[y * grey.width + x] < 128;
    const [right, bottom] = [grey.width - 1, grey.height - 1];
    const found = corners.find((_, k) => dark([0, right, right, 0][k], [0, 0, bottom, bottom][k]));
    assert.equal(found, expected[orientation - 1], `orientation ${orientation}`);
    assert.equal(decodeJpegLuma(bytes, { applyOrientation: false })!.width, 48);
  }
});

Deno.test("decodeJpegLuma: codings it does not decode return undefined, for a full decoder", () => {
  const base = encodeBaseline({ width: 40, height: 24, components: components(2, 2) });
  const sof = base.findIndex((b, i) => b === 0xff && base[i + 1] === 0xc0);
  const edited = (edit: (bytes: Uint8Array) => void) => {
    const bytes = base.slice();
    edit(bytes);
    return bytes;
  };
  const adobe = [0xff, 0xee, 0, 14, ...new TextEncoder().encode("Adobe"), 0, 100, 0, 0, 0, 0, 0];
  const luma = { h: 1, v: 1, samples: pattern };
  const colour = components(1, 1);
  const below = [luma, { ...luma, h: 2, v: 2 }, luma];
  const cases: [string, Uint8Array][] = [
    ["progressive", edited((b) => b[sof + 1] = 0xc2)],
    ["arithmetic-coded", edited((b) => b[sof + 1] = 0xc9)],
    ["12-bit", edited((b) => b[sof + 4] = 12)],
    [
      "RGB component ids",
      edited((b) => b.set([0x52, 0x22, 0, 0x47, 0x11, 0, 0x42, 0x11], sof + 10)),
    ],
    [
      "Adobe transform 0 (RGB)",
      Uint8Array.of(...base.subarray(0, 2), ...adobe, ...base.subarray(2)),
    ],
    ["CMYK", encodeBaseline({ width: 40, height: 24, components: [...colour, luma] })],
    ["luma sampled below chroma", encodeBaseline({ width: 40, height: 24, components: below })],
  ];
  for (const [label, bytes] of cases) {
    assert.equal(decodeJpegLuma(bytes, { name: label }), undefined, label);
  }
});
