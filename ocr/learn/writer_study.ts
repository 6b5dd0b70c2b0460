/**
 * How much learning a writer's hand helps, measured on writers the base
 * model never saw: `deno run -P ocr/learn/writer_study.ts [--split test]`.
 *
 * The writers are those of the writer-disjoint split the default model's
 * training data was cut with (UNIPEN 1a + 1b, every usable sample, shares
 * 300 / 100 / 50, seed 0: the `nist36_all_seed0` set of `--preset
 * ocr-default`; the split is recomputed here from the same samples and
 * rules, so it is the same). Each of a writer's characters is rendered the
 * way a photo reaches the classifier: drawn from its pen trajectory at photo
 * size with a marker-like pen (one width per writer), thresholded to a
 * binary page and cut with `cropLetters` and the model's crop settings. The
 * characters are sorted by class in a seeded order and dealt alternately
 * into two halves, so both halves hold nearly the same classes; the model
 * adapts on one half ({@linkcode adaptNetwork}, the defaults of `ocr:learn`)
 * and is scored on the other, before and after. It is also scored, before
 * and after, on a fixed sample of the other writers' characters, to see
 * that learning one hand does not cost the others.
 *
 * Hyperparameters are chosen with `--split valid` (writers used neither for
 * training nor for this report); `--split test` is the report.
 *
 * @module
 */

import { argmax, noGrad, Rng, Tensor } from "../../autograd/mod.ts";
import { collectGlyphSamples, resolveUnipenDir } from "../../datasets/builders/unipen_pool.ts";
import { splitByWriter } from "../../datasets/builders/writer_split.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { ensureNist36 } from "../../datasets/nist36_source.ts";
import { renderGlyph } from "../../datasets/unipen/render_glyph.ts";
import { writeFileAtomic } from "../../formats/files.ts";
import { numberFlag, runCommand, UsageError } from "../../tools/command_line.ts";
import type { Box } from "../box.ts";
import { cropLetters } from "../crops.ts";
import { loadOcrModel, type OcrModel } from "../model/load.ts";
import { ADAPT_DEFAULTS, adaptNetwork, type Glyphs } from "./adapt.ts";
import { classIndexOf } from "./match_boxes.ts";
import { loadReplayGlyphs } from "./replay.ts";

/** Side of the "photo" a character is drawn on, and the span its centre lines fill. */
const PHOTO = { size: 96, margin: 12 };
/** Pen widths of the photos, as fractions of the span: a fine pen to a marker. */
const PEN_RANGE = [0.04, 0.1] as const;
/** Characters of other writers each adapted model is also scored on. */
const OTHERS = 500;
/** Writers with fewer characters give halves too small to score. */
const MIN_CHARACTERS = 8;

const USAGE = `usage: deno run -P ocr/learn/writer_study.ts [--split test|valid] [--epochs N]
         [--seed N] [--lr R] [--anchor L] [--replay-ratio R] [--no-replay] [--writers N]
         [--model FILE] [--out FILE.md]
  --split      the writers to study (default test; choose settings on valid)
  --writers N  a seeded random N of the writers (default all)
  --out FILE   also write the per-writer table and summary there`;

/** One writer's outcome. */
interface WriterResult {
  writer: string;
  adapt: number;
  test: number;
  before: number;
  after: number;
  othersBefore: number;
  othersAfter: number;
}

/** Runs the study with `args`; returns the exit code. */
export function main(args: string[]): Promise<number> {
  const flags = {
    split: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    lr: { type: "string" },
    anchor: { type: "string" },
    "replay-ratio": { type: "string" },
    "no-replay": { type: "boolean" },
    writers: { type: "string" },
    model: { type: "string" },
    out: { type: "string" },
  } as const;
  return runCommand(args, { usage: USAGE, flags, maxPositionals: 0 }, async ({ values }, out) => {
    const split = values.split ?? "test";
    if (split !== "test" && split !== "valid") throw new UsageError("--split is test or valid");
    const settings = {
      epochs: numberFlag(values.epochs, "--epochs", {
        fallback: ADAPT_DEFAULTS.epochs,
        integer: true,
        min: 1,
        max: 100,
      }),
      seed: numberFlag(values.seed, "--seed", { fallback: 0, integer: true, max: 2 ** 32 - 1 }),
      lr: numberFlag(values.lr, "--lr", { fallback: ADAPT_DEFAULTS.lr, max: 1, aboveMin: true }),
      anchor: numberFlag(values.anchor, "--anchor", { fallback: ADAPT_DEFAULTS.anchor, max: 1e6 }),
      replayRatio: numberFlag(values["replay-ratio"], "--replay-ratio", {
        fallback: ADAPT_DEFAULTS.replayRatio,
        max: 100,
      }),
    };
    const limit = numberFlag(values.writers, "--writers", {
      fallback: Infinity,
      integer: true,
      min: 1,
    });
    const started = performance.now();
    const model = await loadOcrModel(values.model);
    const writers = await writerCrops(model, { split, seed: settings.seed, limit });
    let replay: Glyphs | undefined;
    if (!values["no-replay"]) {
      await ensureNist36({ samples: "all" });
      const found = await loadReplayGlyphs(model);
      replay = found.glyphs;
      out.stderr(found.note);
    }
    const others = otherWritersSample(writers, settings.seed);
    const origin = Object.fromEntries(
      Object.entries(model.network.stateDict()).map(([k, t]) => [k, t.clone()]),
    );
    const results: WriterResult[] = [];
    for (const writer of writers) {
      model.network.loadStateDict(origin);
      const [adapt, test] = halves(writer.glyphs, settings.seed);
      const sample = others.filter((g) => g.writer !== writer.name).map((g) => g.glyph);
      const before = errorRate(model, test);
      const othersBefore = errorRate(model, stack(sample));
      adaptNetwork(model.network, adapt, { ...settings, size: model.crop.size, replay });
      const result = {
        writer: writer.name,
        adapt: adapt.labels.length,
        test: test.labels.length,
        before,
        after: errorRate(model, test),
        othersBefore,
        othersAfter: errorRate(model, stack(sample)),
      };
      results.push(result);
      out.stderr(
        `${result.writer}: ${result.adapt}/${result.test} characters, error ` +
          `${percent(result.before)} → ${percent(result.after)}, other writers ` +
          `${percent(result.othersBefore)} → ${percent(result.othersAfter)}`,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    const report = summary(results, { split, settings, replay: replay !== undefined, seconds });
    out.stdout(report);
    if (values.out) await writeFileAtomic(values.out, new TextEncoder().encode(`${report}\n`));
  });
}

/** A writer's characters, cropped as OCR crops photos. */
interface WriterGlyphs {
  name: string;
  glyphs: Glyphs;
}

/** Every writer of `split` with at least {@linkcode MIN_CHARACTERS} characters. */
async function writerCrops(
  model: OcrModel,
  options: { split: "valid" | "test"; seed: number; limit: number },
): Promise<WriterGlyphs[]> {
  const classNames = [...NIST36_CLASSES];
  const { samples } = await collectGlyphSamples(await resolveUnipenDir(), {
    categories: ["1b", "1a"],
    classOf: new Map(classNames.map((name, i) => [name, i])),
  });
  // The options of buildNist36 with perClass "all" and seed 0: the default model's split.
  const split = splitByWriter(samples, {
    classes: classNames.length,
    classNames,
    shares: { train: 300, valid: 100, test: 50 },
    perClass: "all",
    seed: 0,
    what: "nist36",
  });
  const rng = new Rng(options.seed);
  const chosen = [...split.chosen[options.split]].sort((a, b) => a - b);
  const byWriter = new Map<string, number[]>();
  for (const i of chosen) {
    const list = byWriter.get(samples[i].writer) ?? [];
    list.push(i);
    byWriter.set(samples[i].writer, list);
  }
  const writers = [...byWriter.keys()].filter((w) => byWriter.get(w)!.length >= MIN_CHARACTERS)
    .sort();
  const picked = new Set([...rng.permutation(writers.length)].slice(0, options.limit));
  return writers.filter((_, k) => picked.has(k)).map((name) => {
    const own = byWriter.get(name)!;
    const pen = rng.uniform(PEN_RANGE[0], PEN_RANGE[1]) * (PHOTO.size - 2 * PHOTO.margin);
    const crops = own.map((i) => photoCrop(samples[i].strokes, model, pen));
    const labels = Int32Array.from(
      own,
      (i) => classIndexOf(classNames[samples[i].classIndex], model.classes),
    );
    return { name, glyphs: { x: stackRows(crops), labels } };
  });
}

/** The crop OCR would cut from a photo of these strokes drawn with a `pen`-pixel pen. */
function photoCrop(strokes: readonly Float32Array[], model: OcrModel, pen: number): Float32Array {
  const grey = renderGlyph(strokes, { ...PHOTO, penWidth: pen });
  const binary = Float32Array.from(grey, (v) => (v < 0.5 ? 0 : 1));
  let box: Box = [PHOTO.size, PHOTO.size, 0, 0];
  binary.forEach((v, i) => {
    if (v !== 0) return;
    const [y, x] = [Math.floor(i / PHOTO.size), i % PHOTO.size];
    box = [
      Math.min(box[0], y),
      Math.min(box[1], x),
      Math.max(box[2], y + 1),
      Math.max(box[3], x + 1),
    ];
  });
  const page = { binary, width: PHOTO.size, height: PHOTO.size };
  return cropLetters(page, [box], model.crop).data as Float32Array;
}

/** Two halves of a writer's characters with nearly the same classes: adapt on one, score the other. */
function halves(glyphs: Glyphs, seed: number): [Glyphs, Glyphs] {
  const order = [...new Rng(seed).permutation(glyphs.labels.length)]
    .sort((a, b) => glyphs.labels[a] - glyphs.labels[b]);
  const pick = (parity: number) => {
    const rows = order.filter((_, k) => k % 2 === parity);
    return {
      x: stackRows(rows.map((r) => row(glyphs.x, r))),
      labels: Int32Array.from(rows, (r) => glyphs.labels[r]),
    };
  };
  return [pick(0), pick(1)];
}

/** A fixed sample of every writer's characters, each tagged with its writer. */
function otherWritersSample(
  writers: readonly WriterGlyphs[],
  seed: number,
): { writer: string; glyph: { x: Float32Array; label: number } }[] {
  const all = writers.flatMap((w) =>
    [...w.glyphs.labels].map((label, r) => ({
      writer: w.name,
      glyph: { x: row(w.glyphs.x, r), label },
    }))
  );
  const order = new Rng(seed ^ 0x07e5).permutation(all.length);
  return [...order.subarray(0, OTHERS)].map((i) => all[i]);
}

function stack(glyphs: readonly { x: Float32Array; label: number }[]): Glyphs {
  return { x: stackRows(glyphs.map((g) => g.x)), labels: Int32Array.from(glyphs, (g) => g.label) };
}

function row(x: Tensor, r: number): Float32Array {
  const width = x.shape[1];
  return x.data.subarray(r * width, (r + 1) * width) as Float32Array;
}

function stackRows(rows: readonly Float32Array[]): Tensor {
  const width = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return new Tensor(out, [rows.length, width]);
}

/** Fraction of `glyphs` the model gets wrong (case folded, as OCR reads). */
function errorRate(model: OcrModel, glyphs: Glyphs): number {
  model.network.eval();
  const guesses = noGrad(() => argmax(model.network.forward(glyphs.x), { axis: 1 }));
  const fold = (i: number) => model.classes[i].toUpperCase();
  const wrong = guesses.filter((g, i) => fold(g) !== fold(glyphs.labels[i])).length;
  return wrong / Math.max(1, glyphs.labels.length);
}

function percent(v: number): string {
  return `${(100 * v).toFixed(1)} %`;
}

/** The Markdown report: one row per writer, then the means. */
function summary(
  results: readonly WriterResult[],
  run: { split: string; settings: Record<string, number>; replay: boolean; seconds: number },
): string {
  const mean = (pick: (r: WriterResult) => number) =>
    results.reduce((s, r) => s + pick(r), 0) / Math.max(1, results.length);
  const better = results.filter((r) => r.after < r.before).length;
  const worse = results.filter((r) => r.after > r.before).length;
  const rows = results.map((r) =>
    `| ${r.writer} | ${r.adapt} / ${r.test} | ${percent(r.before)} | ${percent(r.after)} | ` +
    `${percent(r.othersBefore)} | ${percent(r.othersAfter)} |`
  );
  const settings = Object.entries(run.settings).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `Writer study, ${run.split} writers (${results.length}), ${settings}, replay ${
      run.replay ? "on" : "off"
    }:`,
    "",
    "| writer | adapt / test chars | error before | error after | others before | others after |",
    "| :-- | --: | --: | --: | --: | --: |",
    ...rows,
    `| **mean** | ${mean((r) => r.adapt).toFixed(0)} / ${mean((r) => r.test).toFixed(0)} | ` +
    `**${percent(mean((r) => r.before))}** | **${percent(mean((r) => r.after))}** | ` +
    `${percent(mean((r) => r.othersBefore))} | ${percent(mean((r) => r.othersAfter))} |`,
    "",
    `${better} writers improved, ${worse} got worse, ${
      results.length - better - worse
    } unchanged; ` +
    `${run.seconds.toFixed(0)} s in all.`,
  ].join("\n");
}

if (import.meta.main) Deno.exit(await main(Deno.args));
