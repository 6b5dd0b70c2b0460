/**
 * SVG → PNG with resvg compiled to WebAssembly. The wasm module and the font
 * are loaded once per process, on first use; text is drawn with the font that
 * {@linkcode locateFont} finds, so PNGs look the same on every machine that
 * has it.
 *
 * @module
 */

import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { InklingError } from "../autograd/errors.ts";
import { type LoadedFont, loadFont, locateFont } from "./fonts.ts";

/** Options of {@linkcode svgToPng}. */
export interface SvgToPngOptions {
  /** Pixels per SVG unit (2 = sharp on high-density screens and in print). Default 2. */
  scale?: number;
  /** Fill behind the drawing (any CSS colour). Default "white"; "transparent" keeps alpha. */
  background?: string;
}

/** Largest PNG side produced; bigger requests are mistakes, not figures. */
const MAX_SIDE = 16384;

let setup: Promise<LoadedFont> | null = null;

async function start(): Promise<LoadedFont> {
  const font = await loadFont(await locateFont());
  // Compiled on first use, not at import: the module is 2.5 MB. It is part of
  // the module graph (a source-phase import), so it is found wherever Inkling
  // is loaded from: a checkout, JSR, or a bundle.
  const { default: resvgModule } = await import("./resvg_module.js");
  await initWasm(resvgModule);
  return font;
}

/** Loads the wasm rasteriser and the font (once); later calls share the first load. */
function ready(): Promise<LoadedFont> {
  setup ??= start().catch((error) => {
    setup = null; // a failed start (e.g. font installed afterwards) may be retried
    throw error;
  });
  return setup;
}

/**
 * Rasterises an SVG document to PNG bytes. Text is drawn with the located
 * font, which stands in for every generic family (`sans-serif`, `system-ui`, …).
 */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) {
    throw new InklingError(`svgToPng: scale ${scale} not in (0, 16]`);
  }
  const font = await ready();
  let resvg: InstanceType<typeof Resvg>;
  try {
    resvg = new Resvg(svg, {
      fitTo: { mode: "zoom", value: scale },
      background: options.background ?? "white",
      font: {
        fontBuffers: font.buffers,
        defaultFontFamily: font.family,
        sansSerifFamily: font.family,
        serifFamily: font.family,
        monospaceFamily: font.family,
      },
    });
  } catch (error) {
    throw new InklingError(`svgToPng: the SVG could not be parsed (${error})`, { cause: error });
  }
  try {
    const width = Math.ceil(resvg.width * scale);
    const height = Math.ceil(resvg.height * scale);
    if (width > MAX_SIDE || height > MAX_SIDE) {
      throw new InklingError(
        `svgToPng: ${width}×${height} px is larger than ${MAX_SIDE} px a side; lower the scale`,
      );
    }
    const image = resvg.render();
    const png = image.asPng();
    image.free();
    return png;
  } finally {
    resvg.free();
  }
}
