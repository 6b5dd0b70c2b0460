/**
 * Reads one UNIPEN file with its `.INCLUDE`s expanded in place and keeps what
 * character extraction needs: the numbered pen components (raw tablet
 * coordinates), the `.SEGMENT` lines, and the writer and resolution in force
 * at each segment. Everything else (documentation keywords, lexicons, …) is
 * skipped.
 *
 * The scanner works on bytes, not decoded text: the 1a/1b/1c subset expands
 * to ~100 MB of mostly coordinate lines, and decoding plus splitting that
 * into strings would dominate the parse time.
 *
 * @module
 */

import { excerpt, FormatError } from "../../autograd/errors.ts";
import { readFileLimited } from "../../formats/files.ts";

/** A `.SEGMENT` line together with the header state in force where it appeared. */
export interface UnipenSegmentLine {
  /** Hierarchy level, e.g. `CHARACTER`. */
  level: string;
  /** Delineation text, e.g. `12:0-13:20`. */
  delineation: string;
  /** Quality flag (`?`, `OK`, `BAD`, …); empty when the line has none. */
  quality: string;
  /** Label with `\"` and `\\` unescaped; undefined when the line has none. */
  label: string | undefined;
  /** `.WRITER_ID` in force, if any. */
  writerId: string | undefined;
  /** Tablet points per inch along x (from `.X_POINTS_PER_INCH` or `.X_POINTS_PER_MM`). */
  pointsPerInchX: number | undefined;
  /** Tablet points per inch along y. */
  pointsPerInchY: number | undefined;
  /** `file:line` of the segment, for error messages. */
  where: string;
}

/**
 * A UNIPEN file after include expansion. Component `i` holds the points
 * `points[2*componentStart[i] ..< 2*componentEnd[i]]` as x, y pairs.
 * Components are the `.PEN_DOWN`/`.PEN_UP` blocks with at least one point,
 * numbered from 0 across the whole expanded file (empty blocks get no number).
 */
export interface UnipenDocument {
  /** Path of the top-level file. */
  path: string;
  /** Raw x, y pairs of every component, in file order. */
  points: Float64Array;
  /** First point (pair index) of each component. */
  componentStart: number[];
  /** One past the last point of each component. */
  componentEnd: number[];
  /** Whether each component is a pen-down block (false: pen-up/hover points). */
  penDown: boolean[];
  /** The `.SEGMENT` lines, in file order. */
  segments: UnipenSegmentLine[];
}

/** Options of {@linkcode readUnipenDocument}. */
export interface ReadUnipenDocumentOptions {
  /** Folder that `.INCLUDE` paths are relative to (the data set's `include/`). */
  includeDir: string;
  /** Byte budget for a file plus everything it includes (default 256 MiB). */
  maxExpandedBytes?: number;
  /**
   * Most `.INCLUDE` lines expanded for one file, counting every expansion of
   * every nested include (default {@linkcode DEFAULT_MAX_INCLUDES}).
   */
  maxIncludes?: number;
}

/**
 * Default of {@linkcode ReadUnipenDocumentOptions.maxIncludes}. A real
 * train_r01_v07 file (1a/1b/1c) expands at most 3 includes; the byte budget
 * alone does not stop tiny files that each include the next twice (22 levels
 * of 40-byte files are 4 million expansions and minutes of work), so the
 * count is capped too, far above any real need.
 */
export const DEFAULT_MAX_INCLUDES = 1000;

const MAX_INCLUDE_DEPTH = 32;
const MM_PER_INCH = 25.4;

/**
 * Reads `path` and every file it includes (recursively, in place) into a
 * {@linkcode UnipenDocument}. Include cycles, missing or unsafe include paths,
 * point lines that are not numbers and expansions over the byte budget or
 * the include count raise a {@linkcode FormatError} naming the file and line.
 */
export async function readUnipenDocument(
  path: string,
  options: ReadUnipenDocumentOptions,
): Promise<UnipenDocument> {
  const scanner = new Scanner(options.includeDir, {
    maxExpandedBytes: options.maxExpandedBytes ?? 2 ** 28,
    maxIncludes: options.maxIncludes ?? DEFAULT_MAX_INCLUDES,
  });
  await scanner.scanFile(path, []);
  return {
    path,
    points: scanner.points.subarray(0, scanner.pointCount * 2),
    componentStart: scanner.componentStart,
    componentEnd: scanner.componentEnd,
    penDown: scanner.penDown,
    segments: scanner.segments,
  };
}

/** Where a pen block being read started, or null outside pen blocks. */
interface OpenBlock {
  penDown: boolean;
  start: number;
}

class Scanner {
  points = new Float64Array(4096);
  pointCount = 0;
  componentStart: number[] = [];
  componentEnd: number[] = [];
  penDown: boolean[] = [];
  segments: UnipenSegmentLine[] = [];
  #block: OpenBlock | null = null;
  #writerId: string | undefined;
  #ppiX: number | undefined;
  #ppiY: number | undefined;
  #bytesLeft: number;
  #includesLeft: number;
  #maxIncludes: number;
  #includeDir: string;

  constructor(includeDir: string, limits: { maxExpandedBytes: number; maxIncludes: number }) {
    this.#includeDir = includeDir;
    this.#bytesLeft = limits.maxExpandedBytes;
    this.#includesLeft = this.#maxIncludes = limits.maxIncludes;
  }

  /** Scans one file; `chain` lists the files that include it, innermost first. */
  async scanFile(path: string, chain: readonly string[]): Promise<void> {
    const bytes = await readFileLimited(path, {
      maxBytes: this.#bytesLeft,
      what: "UNIPEN file", // the cap is what is left of the expansion budget
    })
      .catch((error) => {
        if (chain.length === 0 || !(error instanceof FormatError)) throw error;
        throw new FormatError(`${error.message} (included from ${chain.join(" <- ")})`);
      });
    this.#bytesLeft -= bytes.length;
    const inner = [path, ...chain];
    let line = 0;
    for (let pos = 0, end = 0; pos < bytes.length; pos = end + 1) {
      end = bytes.indexOf(10, pos);
      if (end < 0) end = bytes.length;
      line++;
      // A keyword is a dot and a capital at the start of a line (".5 .3" is a point).
      if (bytes[pos] === DOT && bytes[pos + 1] >= 65 && bytes[pos + 1] <= 90) {
        this.#closeBlock();
        const keywordEnd = keywordLength(bytes, pos + 1, end);
        const keyword = latin1(bytes, pos + 1, keywordEnd);
        if (keyword === "PEN_DOWN" || keyword === "PEN_UP") {
          this.#block = { penDown: keyword === "PEN_DOWN", start: this.pointCount };
          continue;
        }
        const where = `${path}:${line}`;
        if (keyword === "INCLUDE") {
          await this.#include(latin1(bytes, keywordEnd, end).trim(), where, inner);
        } else if (keyword === "SEGMENT") {
          this.segments.push(this.#segment(utf8.decode(bytes.subarray(pos, end)), where));
        } else {
          this.#header(keyword, latin1(bytes, keywordEnd, end).trim(), where);
        }
      } else if (this.#block !== null) {
        this.#point(bytes, pos, end, path, line);
      }
    }
    // A file's end also ends the keyword it left open.
    this.#closeBlock();
  }

  async #include(target: string, where: string, chain: string[]): Promise<void> {
    // Longer than any file name a file system takes: the file cannot exist.
    if (target.length > 255) {
      throw new FormatError(`${where}: .INCLUDE path of ${target.length} characters is too long`);
    }
    if (target === "" || target.startsWith("/") || target.split(/[\\/]/).includes("..")) {
      throw new FormatError(
        `${where}: .INCLUDE path ${excerpt(target)} must be relative to include/`,
      );
    }
    // "./a.doc" and "a.doc" are one file: the same path string lets the cycle check see that.
    const path = `${this.#includeDir}/${
      target.split("/").filter((part) => part !== "" && part !== ".").join("/")
    }`;
    if (chain.includes(path)) {
      throw new FormatError(
        `${where}: include cycle: ${[path, ...chain].reverse().join(" -> ")}`,
      );
    }
    if (chain.length >= MAX_INCLUDE_DEPTH) {
      throw new FormatError(`${where}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
    }
    if (--this.#includesLeft < 0) {
      throw new FormatError(
        `${where}: more than ${this.#maxIncludes} .INCLUDEs expanded for ${
          chain[chain.length - 1]
        } (files including each other over and over?)`,
      );
    }
    await this.scanFile(path, chain);
  }

  /** Header keywords that matter for extraction; the rest are skipped. */
  #header(keyword: string, argument: string, where: string): void {
    switch (keyword) {
      case "WRITER_ID":
        this.#writerId = argument;
        break;
      case "X_POINTS_PER_INCH":
        this.#ppiX = resolution(argument, 1, where);
        break;
      case "Y_POINTS_PER_INCH":
        this.#ppiY = resolution(argument, 1, where);
        break;
      case "X_POINTS_PER_MM":
        this.#ppiX = resolution(argument, MM_PER_INCH, where);
        break;
      case "Y_POINTS_PER_MM":
        this.#ppiY = resolution(argument, MM_PER_INCH, where);
        break;
    }
  }

  #segment(text: string, where: string): UnipenSegmentLine {
    const match = SEGMENT_LINE.exec(text);
    if (match === null) throw new FormatError(`${where}: cannot parse ${excerpt(text.trim())}`);
    return {
      level: match[1],
      delineation: match[2],
      quality: match[3] ?? "",
      label: match[4]?.replace(/\\(.)/g, "$1"),
      writerId: this.#writerId,
      pointsPerInchX: this.#ppiX,
      pointsPerInchY: this.#ppiY,
      where,
    };
  }

  /** Appends the first two numbers of a point line (blank lines are skipped). */
  #point(bytes: Uint8Array, pos: number, end: number, path: string, line: number): void {
    const x = parseNumber(bytes, pos, end);
    if (x.next < 0) return; // blank line
    const y = parseNumber(bytes, x.next, end);
    if (Number.isNaN(x.value) || Number.isNaN(y.value)) {
      const text = latin1(bytes, pos, Math.min(end, pos + 60)).trim();
      throw new FormatError(`${path}:${line}: expected an "x y" point line, got ${excerpt(text)}`);
    }
    if (this.pointCount * 2 + 2 > this.points.length) {
      const grown = new Float64Array(this.points.length * 2);
      grown.set(this.points);
      this.points = grown;
    }
    this.points[this.pointCount * 2] = x.value;
    this.points[this.pointCount * 2 + 1] = y.value;
    this.pointCount++;
  }

  #closeBlock(): void {
    const block = this.#block;
    this.#block = null;
    if (block === null || block.start === this.pointCount) return;
    this.componentStart.push(block.start);
    this.componentEnd.push(this.pointCount);
    this.penDown.push(block.penDown);
  }
}

const DOT = 46;
const utf8 = new TextDecoder();
const SEGMENT_LINE =
  /^\.SEGMENT\s+(\S+)\s+([^\s"]+)(?:\s+([^\s"]+))?(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/;

function resolution(argument: string, factor: number, where: string): number {
  const value = Number(argument.split(/\s+/)[0]);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new FormatError(`${where}: resolution ${excerpt(argument)} is not a positive number`);
  }
  return value * factor;
}

/** Index just past the keyword (upper-case letters, digits, `_`) starting at `pos`. */
function keywordLength(bytes: Uint8Array, pos: number, end: number): number {
  while (pos < end) {
    const c = bytes[pos];
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) break;
    pos++;
  }
  return pos;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11;
}

/**
 * Parses the number starting after any blanks at `pos`. Returns `next` = −1
 * when only blanks remain, and `value` = NaN when the text is not a number.
 * Plain decimals are parsed inline (they are almost every byte of the data
 * set); anything with an exponent goes through `Number`.
 */
function parseNumber(
  bytes: Uint8Array,
  pos: number,
  end: number,
): { value: number; next: number } {
  while (pos < end && isSpace(bytes[pos])) pos++;
  if (pos === end) return { value: NaN, next: -1 };
  const start = pos;
  let sign = 1;
  if (bytes[pos] === 45 || bytes[pos] === 43) sign = bytes[pos++] === 45 ? -1 : 1;
  let value = 0;
  let digits = 0;
  while (pos < end && bytes[pos] >= 48 && bytes[pos] <= 57) {
    value = value * 10 + bytes[pos++] - 48;
    digits++;
  }
  let scale = 1;
  if (pos < end && bytes[pos] === 46) {
    pos++;
    while (pos < end && bytes[pos] >= 48 && bytes[pos] <= 57) {
      value = value * 10 + bytes[pos++] - 48;
      scale *= 10;
      digits++;
    }
  }
  if (pos < end && !isSpace(bytes[pos]) || digits > 15) {
    while (pos < end && !isSpace(bytes[pos])) pos++;
    return { value: Number(latin1(bytes, start, pos)), next: pos };
  }
  return { value: digits > 0 ? sign * value / scale : NaN, next: pos };
}
