/**
 * Regenerates the synthetic marker-and-noise OCR pages of
 * `tests/ocr/fixtures/pages/` (or any seeds into any folder):
 *
 * ```sh
 * deno run -P tools/build/make_ocr_pages.ts            # the committed fixtures, seeds 1–6
 * deno run -P tools/build/make_ocr_pages.ts --out /tmp/tune --seeds 101-120
 * ```
 *
 * Each seed gives `page_<seed>.jpg` and `page_<seed>.txt` (the true text).
 * Characters come from UNIPEN writers the default OCR model never saw (see
 * `testWriterGlyphs`), and only those the model reads correctly when drawn
 * as a clean training glyph: the pages test what marker, spacing and paper
 * noise do to reading, not the classifier's 88 % accuracy on unseen writers.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { noGrad, softmax, Tensor } from "../../autograd/mod.ts";
import {
  type PageGlyph,
  renderSyntheticPage,
  testWriterGlyphs,
} from "../../datasets/synthetic_pages/mod.ts";
import { renderGlyph } from "../../datasets/unipen/render_glyph.ts";
import { resolveUnipenDir } from "../../datasets/builders/unipen_pool.ts";
import { writeFileAtomic } from "../../formats/files.ts";
import { decodeCheckpoint } from "../../layers/mod.ts";
import { classifierFromCheckpoint } from "../../models/mod.ts";
import { numberFlag, runCommand, UsageError } from "../command_line.ts";

const USAGE =
  `usage: deno run -P tools/build/make_ocr_pages.ts [--out DIR] [--seeds LIST] [--pen-scale X]
       [--data-dir DIR]
  --out DIR        where the pages go (default tests/ocr/fixtures/pages)
  --seeds LIST     seeds, e.g. 1,2,5 or 101-120 (default 1-6)
  --pen-scale X    marker width as a multiple of the training pen (default: 2-2.5 per page)
  --data-dir DIR   data directory holding unipen-train_r01_v07 (default ../shared/data)`;

/** A glyph is kept when the model gives its true class at least this probability. */
const MIN_CLEAN_PROBABILITY = 0.9;
const MODEL = new URL("../../ocr/default_model.safetensors", import.meta.url);

/** Runs the tool with `args`; returns the exit code. */
export function main(args: string[]): Promise<number> {
  const flags = {
    out: { type: "string" },
    seeds: { type: "string" },
    "pen-scale": { type: "string" },
    "data-dir": { type: "string" },
  } as const;
  return runCommand(args, { usage: USAGE, flags, maxPositionals: 0 }, async ({ values }, out) => {
    const seeds = parseSeeds(values.seeds ?? "1-6");
    const scale = values["pen-scale"];
    const penScale = scale === undefined
      ? undefined
      : numberFlag(scale, "pen-scale", { fallback: 0, min: 0, aboveMin: true, max: 10 });
    const dir = values.out ??
      fileURLToPath(new URL("../../tests/ocr/fixtures/pages", import.meta.url));
    const unipenDir = await resolveUnipenDir({ dataDir: values["data-dir"] });
    const all = await testWriterGlyphs({ unipenDir });
    const glyphs = await legible(all);
    out.stderr(`${glyphs.length} of ${all.length} test-writer glyphs read cleanly`);
    await Deno.mkdir(dir, { recursive: true });
    for (const seed of seeds) {
      const page = renderSyntheticPage(glyphs, { seed, penScale });
      await writeFileAtomic(`${dir}/page_${seed}.jpg`, page.jpeg);
      await writeFileAtomic(`${dir}/page_${seed}.txt`, new TextEncoder().encode(`${page.text}\n`));
      const { charHeight, penWidth, lines } = page.style;
      const kilobytes = (page.jpeg.length / 1024).toFixed(0);
      out.stdout(
        `page_${seed}: ${page.boxes.length} characters, ${kilobytes} KB, character height ` +
          `${charHeight.toFixed(0)} px, pen ${penWidth.toFixed(1)} px, lines ${lines.join(" ")}`,
      );
    }
  });
}

/** `"1,2,5"` or `"101-120"` (or a mix) as a list of seeds. */
function parseSeeds(text: string): number[] {
  const seeds = text.split(",").flatMap((part) => {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const [from, to] = [Number(match?.[1]), Number(match?.[2] ?? match?.[1])];
    if (match === null || to < from || to >= 2 ** 32) {
      throw new UsageError(`--seeds: ${part} is not a seed or a range like 101-120`);
    }
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
  return [...new Set(seeds)];
}

/** The glyphs the default model reads as their own class when drawn like a training glyph. */
async function legible(glyphs: readonly PageGlyph[]): Promise<PageGlyph[]> {
  const source = fileURLToPath(MODEL);
  const checkpoint = decodeCheckpoint(await Deno.readFile(MODEL), { source });
  const { network, classes } = classifierFromCheckpoint(checkpoint, source);
  network.eval();
  const size = 32;
  const kept: PageGlyph[] = [];
  const batch = 256;
  for (let start = 0; start < glyphs.length; start += batch) {
    const chunk = glyphs.slice(start, start + batch);
    const rows = new Float32Array(chunk.length * size * size);
    chunk.forEach((glyph, n) => {
      const upright = renderGlyph(glyph.strokes, { size });
      // NIST36 storage is transposed: element c * size + r holds upright pixel (r, c).
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) rows[n * size * size + c * size + r] = upright[r * size + c];
      }
    });
    const probs = noGrad(() =>
      softmax(network.forward(new Tensor(rows, [chunk.length, size * size])))
    );
    chunk.forEach((glyph, n) => {
      const p = probs.data[n * classes.length + classes.indexOf(glyph.char)];
      if (p >= MIN_CLEAN_PROBABILITY) kept.push(glyph);
    });
  }
  return kept;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
