/**
 * How well OCR reads, beside Tesseract on the same pages: the mean
 * character error rate (CER) per page of
 *
 * - the four sample photos of the data directory's `images/` folder
 *   (`ocr_cer_samples`, `tesseract_cer_samples`);
 * - the six synthetic marker-on-noise pages of `tests/ocr/fixtures/pages/`
 *   (`ocr_cer_marker_pages`, `tesseract_cer_marker_pages`).
 *
 * Inkling reads with its defaults. Tesseract 5 reads `--psm 6` (one block of
 * text), and its output is compared in the form the transcriptions use:
 * upper case, runs of spaces as one, no blank lines. It is not a handwriting
 * reader (its FAQ says so); the lines show what a user switching from it
 * gains. They are skipped, with the reason on stderr, without Tesseract or
 * `--allow-run`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { resolveDataDir } from "../datasets/data_dir.ts";
import { characterErrorRate } from "../ocr/eval.ts";
import { readText } from "../ocr/read_text.ts";
import type { BenchResult } from "./result.ts";

/** The synthetic marker pages kept as test fixtures. */
const MARKER_PAGES = fileURLToPath(new URL("../tests/ocr/fixtures/pages", import.meta.url));

/** Reads both page sets with Inkling, and with Tesseract when it can. */
export async function benchOcrAccuracy(): Promise<BenchResult[]> {
  const sets = [
    { name: "samples", pages: await pagesIn(`${await resolveDataDir()}/images`) },
    { name: "marker_pages", pages: await pagesIn(MARKER_PAGES) },
  ];
  const tesseract = await tesseractReader();
  const results: BenchResult[] = [];
  for (const { name, pages } of sets) {
    const ours = await meanCer(pages, async (image) => (await readText(image)).text);
    results.push({ name: `ocr_cer_${name}`, value: ours, unit: "%" });
    if (tesseract === undefined) continue;
    const theirs = await meanCer(pages, async (image) => asTranscribed(await tesseract(image)));
    results.push({ name: `tesseract_cer_${name}`, value: theirs, unit: "%" });
  }
  return results;
}

/** Every photo in `folder` with its `.txt` transcription, sorted by name. */
async function pagesIn(folder: string): Promise<{ image: string; truth: string }[]> {
  const pages = [];
  for await (const entry of Deno.readDir(folder)) {
    const match = entry.isFile && /^(.+)\.(jpe?g|png)$/i.exec(entry.name);
    if (!match) continue;
    const truth = await Deno.readTextFile(`${folder}/${match[1]}.txt`).catch(() => undefined);
    if (truth === undefined) continue;
    pages.push({
      image: `${folder}/${entry.name}`,
      truth: truth.replace(/\r\n?/g, "\n").trimEnd(),
    });
  }
  return pages.sort((a, b) => a.image.localeCompare(b.image));
}

/** `tesseract IMAGE - --psm 6` as a function, or undefined (reason on stderr) when it cannot run. */
async function tesseractReader(): Promise<((image: string) => Promise<string>) | undefined> {
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
    console.error("tesseract_cer_* skipped: spawning processes is not permitted (--allow-run)");
    return undefined;
  }
  const run = (args: string[]) =>
    new Deno.Command("tesseract", { args, stdin: "null", stdout: "piped", stderr: "null" })
      .output();
  if (!(await run(["--version"]).catch(() => null))?.success) {
    console.error("tesseract_cer_* skipped: tesseract not found (apt-get install tesseract-ocr)");
    return undefined;
  }
  return async (image) => {
    const output = await run([image, "-", "--psm", "6"]);
    if (!output.success) throw new Error(`tesseract ${image} failed`);
    return new TextDecoder().decode(output.stdout);
  };
}

/** Tesseract's text as the transcriptions write text: capitals, single spaces, no blank lines. */
function asTranscribed(text: string): string {
  return text.toUpperCase().split("\n").map((line) => line.replace(/\s+/g, " ").trim())
    .filter((line) => line !== "").join("\n");
}

/** Mean CER of `read` over `pages` in percent, reading one page at a time. */
async function meanCer(
  pages: { image: string; truth: string }[],
  read: (image: string) => Promise<string>,
): Promise<number> {
  let sum = 0;
  for (const { image, truth } of pages) sum += characterErrorRate(await read(image), truth);
  return Math.round(sum / pages.length * 10000) / 100;
}

if (import.meta.main) {
  for (const result of await benchOcrAccuracy()) console.log(JSON.stringify(result));
}
