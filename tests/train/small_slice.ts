/** A small real NIST36 slice for the trainer tests: 12 / 4 / 2 glyphs per class, built from UNIPEN. */

import { buildNist36 } from "../../datasets/builders/mod.ts";
import { loadNist36 } from "../../datasets/nist36.ts";
import { type GlyphData, nist36GlyphData } from "../../datasets/glyph_data.ts";
import { UNIPEN_DIR } from "../shared_data.ts";

/** Builds the slice into a new temporary folder and loads it. */
export async function smallSlice(): Promise<GlyphData> {
  const dir = await Deno.makeTempDir();
  const perClass = { train: 12, valid: 4, test: 2 };
  await buildNist36({ unipenDir: UNIPEN_DIR, outDir: dir, seed: 0, perClass });
  return nist36GlyphData({ ...(await loadNist36(dir)), dir, origin: "unipen" });
}
