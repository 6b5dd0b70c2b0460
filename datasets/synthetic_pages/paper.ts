/**
 * The photographic side of the synthetic OCR pages of
 * {@linkcode renderSyntheticPage}: anti-aliased pen capsules on a coverage
 * map, and the "photo" of the written paper — tinted paper with grain and
 * mottling, specks of dirt, an uneven illumination gradient, camera blur and
 * JPEG compression.
 *
 * @module
 */

import { encode as encodeJpegPixels } from "jpeg-js";
import type { Rng } from "../../autograd/rng.ts";
import { type Capsule, visitCapsule } from "../unipen/capsule.ts";

/** A coverage map: per pixel, how much of it a mark covers (0–1), row-major. */
export interface Coverage {
  /** `width × height` values. */
  data: Float32Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Inks `capsule` into `map`: each pixel's coverage is the overlap of the
 * pixel's extent across the segment with the pen's (a 1-D box filter, as
 * `renderGlyph` anti-aliases), and overlapping marks keep the larger one.
 */
export function drawCapsule(map: Coverage, capsule: Capsule): void {
  const { radius } = capsule;
  visitCapsule(capsule, map, (i, d2) => {
    const d = Math.sqrt(d2);
    const cover = Math.min(1, Math.max(0, Math.min(d + 0.5, radius) - Math.max(d - 0.5, -radius)));
    if (cover > map.data[i]) map.data[i] = cover;
  });
}

/** What the camera saw: the colours and defects of one synthetic photo. */
export interface PhotoStyle {
  /** Paper colour, RGB in [0, 1]. */
  paper: readonly [number, number, number];
  /** Marker colour, RGB in [0, 1]. */
  ink: readonly [number, number, number];
  /** Brightness at the darkest and brightest corner of the illumination gradient (≤ 1). */
  light: readonly [number, number];
  /** Direction the light increases along, radians. */
  lightAngle: number;
  /** Standard deviation of the per-pixel grain, in units of full brightness. */
  grain: number;
  /** Amplitude of the paper's blotchy mottling (± this fraction of the paper). */
  mottle: number;
  /** Standard deviation of the camera blur, pixels. */
  blur: number;
  /** JPEG quality, 1–100. */
  quality: number;
}

/** Draws a {@linkcode PhotoStyle} for one page. */
export function randomPhotoStyle(rng: Rng): PhotoStyle {
  const warmth = rng.uniform(0, 0.06);
  const paper = rng.uniform(0.86, 0.97);
  const blueInk = rng.next() < 0.3;
  const dark = rng.uniform(0.06, 0.2);
  return {
    paper: [paper, paper - warmth / 2, paper - warmth],
    ink: blueInk ? [dark, dark + 0.05, dark + 0.3] : [dark, dark, dark + 0.02],
    light: [rng.uniform(0.45, 0.7), rng.uniform(0.92, 1)],
    lightAngle: rng.uniform(0, 2 * Math.PI),
    grain: rng.uniform(0.025, 0.06),
    mottle: rng.uniform(0.01, 0.04),
    blur: rng.uniform(0.5, 1.1),
    quality: Math.round(rng.uniform(50, 75)),
  };
}

/**
 * Photographs the written page: marks' reflectance over the paper, times the
 * illumination, plus grain, blurred by the camera. `ink` is the marker's
 * coverage, `specks` the dirt's (drawn in a grey of their own). Returns RGB
 * bytes, row-major, before JPEG compression.
 */
export function photograph(
  maps: { ink: Coverage; specks: Coverage; speckShade: Float32Array },
  style: PhotoStyle,
  rng: Rng,
): Uint8Array {
  const { width, height } = maps.ink;
  const mottling = blotches({ width, height }, rng, style.mottle);
  const cos = Math.cos(style.lightAngle);
  const sin = Math.sin(style.lightAngle);
  const [low, high] = style.light;
  // The gradient's projection runs from -(|cos|·w + |sin|·h)/2 to +; normalise it to 0–1.
  const half = (Math.abs(cos) * width + Math.abs(sin) * height) / 2;
  const planes = [0, 1, 2].map(() => new Float32Array(width * height));
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      const along = ((x - width / 2) * cos + (y - height / 2) * sin + half) / (2 * half);
      const light = low + (high - low) * along;
      const c = maps.ink.data[i];
      const s = maps.specks.data[i];
      for (let k = 0; k < 3; k++) {
        let reflect = style.paper[k] * mottling[i];
        reflect = reflect * (1 - c) + style.ink[k] * c;
        reflect = reflect * (1 - s) + maps.speckShade[i] * s;
        planes[k][i] = light * reflect + rng.normal(0, style.grain);
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  planes.forEach((plane, k) => {
    gaussianBlur(plane, { width, height }, style.blur);
    for (let i = 0; i < plane.length; i++) {
      rgb[3 * i + k] = Math.round(255 * Math.min(1, Math.max(0, plane[i])));
    }
  });
  return rgb;
}

/** JPEG bytes of RGB pixels at `quality`. */
export function encodeJpeg(
  rgb: Uint8Array,
  size: { width: number; height: number; quality: number },
): Uint8Array {
  const { width, height, quality } = size;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(rgb.subarray(3 * i, 3 * i + 3), 4 * i);
    rgba[4 * i + 3] = 255;
  }
  return new Uint8Array(encodeJpegPixels({ data: rgba, width, height }, quality).data);
}

/** Pixels per cell of the mottling grid: blotches a few pen strokes across. */
const MOTTLE_CELL = 24;

/** A smooth field around 1 (± `amplitude`): random values on a coarse grid, bilinearly interpolated. */
function blotches(
  { width, height }: { width: number; height: number },
  rng: Rng,
  amplitude: number,
): Float32Array {
  const gw = Math.ceil(width / MOTTLE_CELL) + 1;
  const gh = Math.ceil(height / MOTTLE_CELL) + 1;
  const grid = Float32Array.from({ length: gw * gh }, () => 1 + rng.uniform(-amplitude, amplitude));
  const out = new Float32Array(width * height);
  for (let y = 0, i = 0; y < height; y++) {
    const gy = y / MOTTLE_CELL;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++, i++) {
      const gx = x / MOTTLE_CELL;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const top = grid[y0 * gw + x0] * (1 - fx) + grid[y0 * gw + x0 + 1] * fx;
      const bottom = grid[(y0 + 1) * gw + x0] * (1 - fx) + grid[(y0 + 1) * gw + x0 + 1] * fx;
      out[i] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Separable Gaussian blur in place (edges replicated), kernel radius 3σ. */
function gaussianBlur(
  plane: Float32Array,
  { width, height }: { width: number; height: number },
  sigma: number,
): void {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Float32Array.from(
    { length: 2 * radius + 1 },
    (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((a, b) => a + b, 0);
  kernel.forEach((v, k) => kernel[k] = v / total);
  const line = new Float32Array(Math.max(width, height));
  const pass = (count: number, length: number, index: (n: number, k: number) => number) => {
    for (let n = 0; n < count; n++) {
      for (let k = 0; k < length; k++) line[k] = plane[index(n, k)];
      for (let k = 0; k < length; k++) {
        let sum = 0;
        for (let j = -radius; j <= radius; j++) {
          sum += kernel[j + radius] * line[Math.min(length - 1, Math.max(0, k + j))];
        }
        plane[index(n, k)] = sum;
      }
    }
  };
  pass(height, width, (y, x) => y * width + x);
  pass(width, height, (x, y) => y * width + x);
}
