/**
 * SVG → PNG with resvg compiled to WebAssembly. The wasm module and the font
 * are loaded once per process, on first use; text is drawn with the font that
 * {@linkcode locateFont} finds, so PNGs look the same on every machine that
 * has it.
 *
 * @module
 */

import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";
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
const WASM_SPECIFIER = "@resvg/resvg-wasm/index_bg.wasm";

let setup: Promise<LoadedFont> | null = null;

/** The resvg .wasm file inside the npm package (works with Deno's node_modules directory). */
function wasmPath(): string | URL {
  const resolved = import.meta.resolve(WASM_SPECIFIER);
  if (resolved.startsWith("file:")) return new URL(resolved);
  // Without a local node_modules, Deno resolves to an npm: URL; Node's resolver finds the file.
  try {
    return createRequire(import.meta.url).resolve(WASM_SPECIFIER);
  } catch (error) {
    throw new InklingError(
      `svgToPng: cannot find ${WASM_SPECIFIER} (resolved to ${resolved}); ` +
        `set "nodeModulesDir": "auto" in deno.json`,
      { cause: error },
    );
  }
}

async function start(): Promise<LoadedFont> {
  const font = await loadFont(await locateFont());
  await initWasm(Deno.readFile(wasmPath()));
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
