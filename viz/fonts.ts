/**
 * Finding a TrueType font for rasterising figures. resvg-wasm has no access to
 * system fonts, so the font bytes are read here and handed to it, together
 * with the font's family name (read from its `name` table) so that the
 * generic families in the SVG (`sans-serif`, `system-ui`) resolve to it.
 *
 * @module
 */

import { optionalEnv } from "../formats/environment.ts";
import { FormatError, InklingError } from "../autograd/errors.ts";
import { readFileLimited } from "../formats/files.ts";

/** Environment variable naming a .ttf/.otf file to use instead of the search list. */
export const FONT_ENV = "INKLING_FONT";

/**
 * Regular sans-serif fonts looked for, in order (Debian/Ubuntu, Fedora, Arch,
 * Alpine, macOS, Windows). DejaVu Sans covers the arrows and symbols Plot uses.
 */
export const FONT_CANDIDATES: readonly string[] = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/ttf-dejavu/DejaVuSans.ttf",
  "/usr/local/share/fonts/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
  "/Library/Fonts/Arial.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
  "C:\\Windows\\Fonts\\arial.ttf",
];

/** Font files larger than this are not fonts we want to hand to the rasteriser. */
const MAX_FONT_BYTES = 64 * 2 ** 20;

/** A font ready for resvg: the file bytes (regular, plus bold when found) and the family name. */
export interface LoadedFont {
  /** Path of the regular face. */
  path: string;
  /** Family name from the font's `name` table, e.g. "DejaVu Sans". */
  family: string;
  /** Raw font files: the regular face first, then a bold face if one sits next to it. */
  buffers: Uint8Array[];
}

/** Options of {@linkcode locateFont}. */
export interface LocateFontOptions {
  /** A font file that must be used; defaults to the `INKLING_FONT` environment variable. */
  override?: string;
  /** Paths tried in order when there is no override; defaults to {@linkcode FONT_CANDIDATES}. */
  candidates?: readonly string[];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Returns the path of the font to rasterise text with: the override (which
 * must exist) or the first existing candidate. Throws an
 * {@linkcode InklingError} saying what to install when there is none.
 */
export async function locateFont(options: LocateFontOptions = {}): Promise<string> {
  const override = options.override ?? optionalEnv(FONT_ENV);
  if (override) {
    if (!await isFile(override)) {
      throw new InklingError(`${FONT_ENV}=${override}: not a readable font file (.ttf or .otf)`);
    }
    return override;
  }
  const candidates = options.candidates ?? FONT_CANDIDATES;
  for (const path of candidates) {
    if (await isFile(path)) return path;
  }
  throw new InklingError(
    `no font found to draw text in PNG figures (looked for ${candidates.length} files, e.g. ${
      candidates[0] ?? "none given"
    }). Install DejaVu fonts (Debian/Ubuntu: apt-get install fonts-dejavu-core; Fedora: ` +
      `dnf install dejavu-sans-fonts) or set ${FONT_ENV} to a .ttf file.`,
  );
}

/** Reads the regular face at `path`, its bold sibling if present, and the family name. */
export async function loadFont(path: string): Promise<LoadedFont> {
  const regular = await readFileLimited(path, { maxBytes: MAX_FONT_BYTES, what: "font" });
  const family = fontFamilyName(regular, path);
  const buffers = [regular];
  // "DejaVuSans.ttf" → "DejaVuSans-Bold.ttf", "LiberationSans-Regular.ttf" → "…-Bold.ttf".
  const boldPath = path.replace(/(-Regular)?\.(ttf|otf)$/i, "-Bold.$2");
  if (boldPath !== path && await isFile(boldPath)) {
    buffers.push(await readFileLimited(boldPath, { maxBytes: MAX_FONT_BYTES, what: "font" }));
  }
  return { path, family, buffers };
}

/**
 * Reads the family name of a TrueType/OpenType font from its `name` table
 * (typographic family, ID 16, preferred over family, ID 1; Windows English
 * records preferred over Macintosh ones). `source` names the font in errors.
 */
export function fontFamilyName(font: Uint8Array, source = "font"): string {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const fail = (what: string) => new FormatError(`${source}: not a usable TrueType font (${what})`);
  if (font.byteLength < 12) throw fail("shorter than a font header");
  const numTables = view.getUint16(4);
  if (12 + numTables * 16 > font.byteLength) throw fail("table directory runs past the end");
  let nameOffset = -1;
  let nameLength = 0;
  for (let i = 0; i < numTables; i++) {
    const record = 12 + i * 16;
    if (view.getUint32(record) === 0x6e616d65 /* "name" */) {
      nameOffset = view.getUint32(record + 8);
      nameLength = view.getUint32(record + 12);
    }
  }
  if (nameOffset < 0) throw fail("no name table");
  if (nameOffset + nameLength > font.byteLength || nameLength < 6) {
    throw fail("name table runs past the end");
  }
  const count = view.getUint16(nameOffset + 2);
  const strings = nameOffset + view.getUint16(nameOffset + 4);
  if (6 + count * 12 > nameLength) throw fail("name records run past the table");
  let best: { rank: number; text: string } | null = null;
  for (let i = 0; i < count; i++) {
    const record = nameOffset + 6 + i * 12;
    const platform = view.getUint16(record);
    const language = view.getUint16(record + 4);
    const nameId = view.getUint16(record + 6);
    const length = view.getUint16(record + 8);
    const start = strings + view.getUint16(record + 10);
    if ((nameId !== 1 && nameId !== 16) || (platform !== 1 && platform !== 3)) continue;
    if (start + length > font.byteLength) throw fail("a name string runs past the end");
    const rank = (nameId === 16 ? 4 : 0) + (platform === 3 ? 2 : 0) +
      (language === 0x409 || language === 0 ? 1 : 0);
    if (best && best.rank >= rank) continue;
    const bytes = font.subarray(start, start + length);
    // Windows names are UTF-16BE; Macintosh (Roman) names are ASCII for Latin families.
    const text = platform === 3
      ? String.fromCharCode(
        ...Array.from({ length: length >> 1 }, (_, k) => (bytes[2 * k] << 8) | bytes[2 * k + 1]),
      )
      : String.fromCharCode(...bytes);
    best = { rank, text };
  }
  if (!best || best.text.trim() === "") throw fail("no family name");
  return best.text;
}
