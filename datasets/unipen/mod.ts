/**
 * UNIPEN on-line handwriting: a reader for the isolated digit, upper-case and
 * lower-case categories (1a, 1b, 1c) of `train_r01_v07` that expands
 * `.INCLUDE`s, numbers pen components, resolves `.SEGMENT` delineations and
 * returns each character's pen-down strokes in inches (y down); and a glyph
 * renderer that turns strokes into anti-aliased NIST36-style grey images,
 * drawing each pen segment as a capsule (`visitCapsule`, shared with the
 * synthetic OCR pages). It
 * imports the engine's errors and RNG, and `formats/`.
 *
 * @module
 */

export { type DelineationRange, parseDelineation } from "./delineation.ts";
export {
  DEFAULT_MAX_INCLUDES,
  readUnipenDocument,
  type ReadUnipenDocumentOptions,
  type UnipenDocument,
  type UnipenSegmentLine,
} from "./document.ts";
export { segmentStrokes } from "./segment_strokes.ts";
export { iterateUnipen, readUnipen, type UnipenReadOptions, type UnipenSample } from "./reader.ts";
export { type Capsule, visitCapsule } from "./capsule.ts";
export { renderGlyph, type RenderGlyphOptions, strokeBounds } from "./render_glyph.ts";
