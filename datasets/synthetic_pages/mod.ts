/**
 * Synthetic OCR test pages with known text: UNIPEN handwriting of writers the
 * default OCR model never saw, written with a thick marker in lines of
 * varied spacing on noisy, unevenly lit paper, blurred and JPEG-compressed
 * (`tools/make_ocr_pages.ts` writes the test fixtures with it). Imports the
 * engine's RNG, the UNIPEN reader and builders of `datasets/`, and jpeg-js.
 *
 * @module
 */

export { type PageGlyph, testWriterGlyphs } from "./glyphs.ts";
export {
  type LineKind,
  renderSyntheticPage,
  type SyntheticPage,
  type SyntheticPageOptions,
} from "./page.ts";
