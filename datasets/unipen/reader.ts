/**
 * Reads the isolated-character categories of a UNIPEN distribution
 * (`train_r01_v07` layout: `data/<category>/<contributor>/…/*.dat` files
 * whose `.INCLUDE`s live under `include/`) as labelled samples of pen strokes.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { excerpt, FormatError } from "../../autograd/errors.ts";
import { readUnipenDocument } from "./document.ts";
import { segmentStrokes } from "./segment_strokes.ts";

/** One character written by one writer. */
export interface UnipenSample {
  /** The character, e.g. `"A"`. */
  label: string;
  /** Category folder it came from, e.g. `"1b"`. */
  category: string;
  /** `contributor/WRITER_ID`, e.g. `"apa/ArloReeves"` (contributor = folder under the category). */
  writer: string;
  /** Segment quality flag as written (`"?"` or `"OK"` in 1a–1c). */
  quality: string;
  /** Pen-down strokes as x, y pairs in inches, y pointing down. */
  strokes: Float32Array[];
  /** The `.dat` file, relative to the data set root (e.g. `data/1a/apa/apa00/app0032.dat`). */
  source: string;
}

/** Options of {@linkcode iterateUnipen} and {@linkcode readUnipen}. */
export interface UnipenReadOptions {
  /** Category folders to read, in this order (default `["1a", "1b", "1c"]`). */
  categories?: readonly string[];
  /** Keep only samples whose label is in this set (default: every label). */
  labels?: Iterable<string>;
}

const DEFAULT_CATEGORIES = ["1a", "1b", "1c"];

/**
 * Yields the `CHARACTER` segments of the chosen categories one file at a time
 * (files in sorted path order, segments in file order), so a caller never
 * holds more than it keeps. Throws a {@linkcode FormatError} naming the file
 * for a missing category folder or a malformed file.
 */
export async function* iterateUnipen(
  root: string | URL,
  options: UnipenReadOptions = {},
): AsyncGenerator<UnipenSample> {
  const base = (root instanceof URL ? fileURLToPath(root) : root).replace(/\/+$/, "");
  const labels = options.labels === undefined ? undefined : new Set(options.labels);
  for (const category of options.categories ?? DEFAULT_CATEGORIES) {
    if (!/^[\w.-]+$/.test(category) || category === "." || category === "..") {
      throw new FormatError(`bad UNIPEN category name ${excerpt(category)}`);
    }
    for (const source of await listDatFiles(base, `data/${category}`)) {
      const document = await readUnipenDocument(`${base}/${source}`, {
        includeDir: `${base}/include`,
      });
      const writerPrefix = `${source.split("/")[2]}/`;
      for (const segment of document.segments) {
        if (segment.level !== "CHARACTER") continue;
        if (segment.label === undefined) {
          throw new FormatError(`${segment.where}: CHARACTER segment without a label`);
        }
        if (labels !== undefined && !labels.has(segment.label)) continue;
        yield {
          label: segment.label,
          category,
          writer: writerPrefix + (segment.writerId ?? ""),
          quality: segment.quality,
          strokes: segmentStrokes(document, segment),
          source,
        };
      }
    }
  }
}

/** Every sample {@linkcode iterateUnipen} yields, in an array. */
export async function readUnipen(
  root: string | URL,
  options: UnipenReadOptions = {},
): Promise<UnipenSample[]> {
  const samples: UnipenSample[] = [];
  for await (const sample of iterateUnipen(root, options)) samples.push(sample);
  return samples;
}

/** `.dat` files under `base/folder`, as sorted paths relative to `base`. */
async function listDatFiles(base: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string) => {
    const entries = await Array.fromAsync(Deno.readDir(`${base}/${relative}`)).catch((error) => {
      throw new FormatError(`${base}/${relative}: cannot list UNIPEN folder (${error.message})`);
    });
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".dat")) found.push(path);
    }
  };
  await walk(folder);
  return found.sort();
}
