/**
 * Reading MAT level 5 files (what MATLAB `save -v7`/`-v6` and
 * `scipy.io.savemat` write): the header, then one top-level data element per
 * variable, either a plain `miMATRIX` or an `miCOMPRESSED` zlib stream holding
 * one. Compressed variables are inflated with a cap derived from their
 * declared size (itself bounded by the compressed length), and variables not
 * asked for are skipped after reading only their name.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { readFileLimited } from "../files.ts";
import { decompress, MAX_DEFLATE_RATIO } from "../decompress.ts";
import { parseArray, readArrayHeader } from "./array_parser.ts";
import { MI, storageName } from "./data_types.ts";
import { ElementReader } from "./elements.ts";
import { HEADER_BYTES, parseMatHeader } from "./header.ts";
import type { MatVariable } from "./types.ts";

/** Default cap on the decompressed size of one variable (2 GiB). */
export const DEFAULT_MAX_VARIABLE_BYTES = 2 ** 31;

// Enough inflated bytes to hold the tag, flags, dimensions and name of almost
// any variable, so a name can be checked without inflating the data.
const NAME_PEEK_BYTES = 1024;

/** Options of {@linkcode parseMat}. */
export interface ParseMatOptions {
  /** Name of the file or buffer, used in error messages. */
  source?: string;
  /**
   * Read only these variables; others are skipped (compressed ones after
   * inflating just enough to see their name). A name not in the file is an error.
   */
  variables?: readonly string[];
  /** Refuse a variable that decompresses to more than this many bytes (default 2 GiB). */
  maxVariableBytes?: number;
}

/**
 * Parses the bytes of a MAT level 5 file into its variables, keyed by name, in
 * file order. Throws {@linkcode FormatError} (naming `source` and the variable)
 * for corrupt data, unsupported arrays (sparse, objects), and for MAT v7.3 and
 * v4 files, with advice on re-saving them.
 */
export async function parseMat(
  bytes: Uint8Array,
  options: ParseMatOptions = {},
): Promise<Map<string, MatVariable>> {
  const source = options.source ?? "MAT data";
  const { littleEndian } = parseMatHeader(bytes, source);
  const wanted = options.variables ? new Set(options.variables) : undefined;
  const context = {
    source,
    littleEndian,
    wanted,
    maxBytes: options.maxVariableBytes ?? DEFAULT_MAX_VARIABLE_BYTES,
  };
  const variables = new Map<string, MatVariable>();
  const seen: string[] = [];
  const reader = new ElementReader(bytes, { littleEndian, what: source, offset: HEADER_BYTES });
  // A few trailing bytes (too short for a tag) are padding some writers leave.
  while (reader.remaining >= 8) {
    const element = reader.peek();
    if (element.small || (element.type !== MI.MATRIX && element.type !== MI.COMPRESSED)) {
      throw reader.error(
        `expected a variable (miMATRIX or miCOMPRESSED), found ${storageName(element.type)}`,
      );
    }
    // Top-level elements are not padded (compressed streams have any length).
    reader.offset = element.offset + 8 + element.data.length;
    const inflated = element.type === MI.COMPRESSED;
    const { name, payload } = inflated
      ? await inflateVariable(element.data, { ...context, offset: element.offset })
      : { name: wanted && peekName(element.data, littleEndian), payload: element.data };
    if (name) seen.push(name);
    if (payload === undefined || payload.length === 0 || (wanted && name && !wanted.has(name))) {
      continue;
    }
    const base = inflated ? 8 : element.offset + 8;
    const parsed = parseArray(payload, {
      littleEndian,
      source,
      path: "",
      depth: 0,
      base,
      inflated,
    });
    variables.set(parsed.name, { ...parsed.array, name: parsed.name });
  }
  const missing = [...(wanted ?? [])].filter((name) => !variables.has(name));
  if (missing.length > 0) {
    throw new FormatError(
      `${source}: no variable ${missing.map((n) => `'${n}'`).join(", ")} (the file holds ${
        seen.map((n) => `'${n}'`).join(", ") || "no variables"
      })`,
    );
  }
  return variables;
}

/** Options of {@linkcode readMat}. */
export interface ReadMatOptions extends Omit<ParseMatOptions, "source"> {
  /** Refuse files larger than this many bytes (default 2 GiB). */
  maxFileBytes?: number;
}

/** Reads a MAT level 5 file; see {@linkcode parseMat} for the result and errors. */
export async function readMat(
  path: string,
  options: ReadMatOptions = {},
): Promise<Map<string, MatVariable>> {
  const bytes = await readFileLimited(path, {
    maxBytes: options.maxFileBytes ?? 2 ** 31,
    what: "MAT-file",
  });
  return await parseMat(bytes, { ...options, source: path });
}

interface InflateContext {
  readonly source: string;
  readonly littleEndian: boolean;
  readonly wanted: ReadonlySet<string> | undefined;
  readonly maxBytes: number;
  readonly offset: number;
}

/**
 * Inflates an miCOMPRESSED element to the miMATRIX contents it holds. A first
 * pass inflates a prefix to learn the declared size (and, when only some
 * variables are wanted, the name: an unwanted variable is not inflated
 * further and comes back without payload); the full pass is capped at the
 * declared size.
 */
async function inflateVariable(
  compressed: Uint8Array,
  context: InflateContext,
): Promise<{ name?: string; payload?: Uint8Array }> {
  const what = `${context.source}: compressed variable at byte ${context.offset}`;
  // The declared size must fit both the caller's cap and what deflate can
  // produce from this many bytes: no trust in the size field is needed.
  const cap = Math.min(context.maxBytes, MAX_DEFLATE_RATIO * compressed.length + 64);
  const stopAfter = context.wanted ? NAME_PEEK_BYTES : 8;
  const head = await decompress(compressed, {
    format: "deflate",
    maxBytes: Infinity,
    what,
    stopAfter,
  });
  const tag = new ElementReader(head, { littleEndian: context.littleEndian, what });
  if (head.length < 8) throw tag.error(`compressed stream holds only ${head.length} bytes`);
  const word = new DataView(head.buffer, head.byteOffset, 8);
  const type = word.getUint32(0, context.littleEndian);
  const size = word.getUint32(4, context.littleEndian);
  if (type !== MI.MATRIX) {
    throw tag.error(
      `compressed stream should hold an miMATRIX element, found ${storageName(type)}`,
      0,
    );
  }
  if (size > cap - 8) {
    throw tag.error(
      `declares ${size} bytes, more than the ${
        cap - 8
      } bytes allowed (${compressed.length} compressed bytes; ` +
        `maxVariableBytes ${context.maxBytes})`,
      0,
    );
  }
  const name = context.wanted && peekName(head.subarray(8, 8 + size), context.littleEndian);
  if (name && !context.wanted?.has(name)) return { name };
  // Allow up to 7 bytes of padding after the element.
  const full = head.length >= 8 + size
    ? head
    : await decompress(compressed, { format: "deflate", maxBytes: 8 + size + 7, what });
  if (full.length < 8 + size) {
    throw tag.error(
      `compressed stream ends after ${full.length - 8} of the ${size} bytes it declares`,
      0,
    );
  }
  return { name, payload: full.subarray(8, 8 + size) };
}

/** The name of an miMATRIX payload, or undefined if the bytes are too few or corrupt. */
function peekName(payload: Uint8Array, littleEndian: boolean): string | undefined {
  if (payload.length === 0) return undefined;
  try {
    return readArrayHeader(new ElementReader(payload, { littleEndian, what: "" })).name;
  } catch {
    // The full parse reports the problem with the file name and position.
    return undefined;
  }
}
