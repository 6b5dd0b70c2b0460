/**
 * Writes PNG contact sheets of UNIPEN characters rendered with
 * {@linkcode renderGlyph}, to check by eye that glyphs come out upright,
 * unmirrored, centred and readable:
 *
 * - `unipen_upper_digits.png`: one row per class, A–Z then 0–9;
 * - `unipen_lower.png`: one row per class, a–z;
 * - `unipen_contributors_<category>.png`: one row per contributor of 1a, 1b
 *   and 1c (sorted by name), so a contributor whose axes were handled wrongly
 *   stands out.
 *
 * Samples are drawn uniformly per row by reservoir sampling while streaming
 * the data set, so the whole set is never held in memory.
 *
 * Usage:
 * `npx deno run --allow-read --allow-write --allow-env examples/unipen_contact_sheet.ts
 *  [--out DIR] [--data DIR] [--per-row 10] [--size 32] [--zoom 2] [--seed 1]`
 * (`--out` defaults to a new temp dir; `--data` to `$INKLING_DATA_DIR` or the
 * repository's sibling `shared/data`, + `/unipen-train_r01_v07`).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Rng } from "../autograd/rng.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { iterateUnipen, renderGlyph, type UnipenSample } from "../datasets/unipen/mod.ts";
import { imageGrid } from "../viz/mod.ts";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/** Keeps a uniform random sample of at most `capacity` items per key. */
class Reservoirs<T> {
  #seen = new Map<string, number>();
  readonly kept = new Map<string, T[]>();
  constructor(readonly capacity: number, readonly rng: Rng) {}

  offer(key: string, item: T): void {
    const seen = this.#seen.get(key) ?? 0;
    this.#seen.set(key, seen + 1);
    const kept = this.kept.get(key) ?? [];
    this.kept.set(key, kept);
    if (seen < this.capacity) kept.push(item);
    else {
      const slot = this.rng.int(seen + 1);
      if (slot < this.capacity) kept[slot] = item;
    }
  }
}

/** Glyph rows → one PNG, each row padded with blank paper to `columns` glyphs. */
function sheet(rows: UnipenSample[][], columns: number, size: number, zoom: number) {
  const blank = new Float32Array(size * size).fill(1);
  const glyphs = rows.flatMap((row) =>
    Array.from(
      { length: columns },
      (_, c) => c < row.length ? renderGlyph(row[c].strokes, { size }) : blank,
    )
  );
  return imageGrid(glyphs, { width: size, height: size, columns, scale: zoom, normalize: "none" });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string" },
      data: {
        type: "string",
        default: `${
          Deno.env.get("INKLING_DATA_DIR") ??
            fileURLToPath(new URL("../../shared/data", import.meta.url))
        }/unipen-train_r01_v07`,
      },
      "per-row": { type: "string", default: "10" },
      size: { type: "string", default: "32" },
      zoom: { type: "string", default: "2" },
      seed: { type: "string", default: "1" },
    },
  });
  const out = values.out ?? await Deno.makeTempDir({ prefix: "unipen_sheet_" });
  const perRow = Number(values["per-row"]);
  const size = Number(values.size);
  const zoom = Number(values.zoom);
  const rng = new Rng(Number(values.seed));
  const byLabel = new Reservoirs<UnipenSample>(perRow, rng);
  const byContributor = new Reservoirs<UnipenSample>(perRow, rng);
  for await (const sample of iterateUnipen(values.data)) {
    byLabel.offer(sample.label, sample);
    byContributor.offer(`${sample.category}/${sample.writer.split("/")[0]}`, sample);
  }
  const sheets: [string, string[], Reservoirs<UnipenSample>][] = [
    ["unipen_upper_digits.png", [...UPPER + DIGITS], byLabel],
    ["unipen_lower.png", [...LOWER], byLabel],
  ];
  for (const category of ["1a", "1b", "1c"]) {
    const keys = [...byContributor.kept.keys()].filter((k) => k.startsWith(`${category}/`));
    sheets.push([`unipen_contributors_${category}.png`, keys.sort(), byContributor]);
  }
  await Deno.mkdir(out, { recursive: true });
  for (const [name, keys, reservoirs] of sheets) {
    const rows = keys.map((key) => reservoirs.kept.get(key) ?? []);
    await writeFileAtomic(`${out}/${name}`, await sheet(rows, perRow, size, zoom));
    console.log(`wrote ${out}/${name}: rows ${keys.join(" ")}`);
  }
}

if (import.meta.main) await main();
