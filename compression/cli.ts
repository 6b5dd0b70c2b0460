/**
 * `deno task compress`: trains the autoencoder, fits PCA, and writes the
 * comparison report (figures, report.md, report.html, report.json) into the
 * output directory. Flags only; the work is in compare.ts and report.ts.
 *
 * @module
 */

import { excerpt } from "../autograd/errors.ts";
import { NIST36_CLASSES } from "../datasets/nist36.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import { checkWritableDir } from "../formats/files.ts";
import { describeNist36Source, loadNist36Source } from "../datasets/nist36_source.ts";
import { AUTOENCODER_DEFAULTS } from "./autoencoder.ts";
import { compareCompression, COMPRESSION_DEFAULTS } from "./compare.ts";
import { writeCompressionReport } from "./report.ts";

const A = AUTOENCODER_DEFAULTS;

/** Ranges of the count flags: wide for 32 × 32 glyphs, small enough to stay within memory. */
const COUNTS = {
  epochs: { min: 1, max: 1000 },
  "batch-size": { min: 1, max: 4096 },
  hidden: { min: 1, max: 2048 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  components: { min: 1, max: 1024 },
} as const;
const USAGE = `usage: deno task compress [options]
  --out DIR            output directory (default runs/compression)
  --data DIR           folder with nist36_{train,valid,test}.mat (default: the UNIPEN-built set)
  --data-dir DIR       shared data root holding unipen-train_r01_v07 (or INKLING_DATA_DIR)
  --epochs N           autoencoder epochs (${A.epochs})
  --batch-size N       minibatch size (${A.batchSize})
  --lr X               learning rate for the summed loss (${A.lr})
  --momentum X         momentum (${A.momentum})
  --hidden N           width of the hidden layers / code (${A.hidden})
  --seed N             seed (${A.seed})
  --components N       principal components (${COMPRESSION_DEFAULTS.components})
  --uncentered         report PCA without subtracting the mean (default: centred)
  --classes CHARS      classes shown in the reconstruction figure (default AHOV2)
  --quiet              no per-epoch progress lines`;

function classFlag(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const classes = [...value.toUpperCase()].map((c) => NIST36_CLASSES.indexOf(c));
  if (classes.length === 0 || classes.includes(-1)) {
    throw new UsageError(
      `--classes needs characters from ${NIST36_CLASSES}, got ${excerpt(value)}`,
    );
  }
  return classes;
}

/** Runs the CLI (writing to `output`, the console by default); returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = {
    out: { type: "string" },
    data: { type: "string" },
    "data-dir": { type: "string" },
    epochs: { type: "string" },
    "batch-size": { type: "string" },
    lr: { type: "string" },
    momentum: { type: "string" },
    hidden: { type: "string" },
    seed: { type: "string" },
    components: { type: "string" },
    uncentered: { type: "boolean" },
    classes: { type: "string" },
    quiet: { type: "boolean" },
  } as const;
  const spec = { usage: USAGE, flags, maxPositionals: 0, output };
  return runCommand(args, spec, async ({ values }, output) => {
    const integer = (name: keyof typeof COUNTS, fallback: number) =>
      numberFlag(values[name], name, { fallback, integer: true, ...COUNTS[name] });
    const autoencoder = {
      epochs: integer("epochs", A.epochs),
      batchSize: integer("batch-size", A.batchSize),
      lr: numberFlag(values.lr, "lr", { fallback: A.lr, aboveMin: true, max: 1e6 }),
      momentum: numberFlag(values.momentum, "momentum", { fallback: A.momentum, max: 0.999 }),
      hidden: integer("hidden", A.hidden),
      seed: integer("seed", A.seed),
    };
    const components = integer("components", COMPRESSION_DEFAULTS.components);
    const classes = classFlag(values.classes);
    const out = values.out ?? "runs/compression";
    await checkWritableDir(out, { what: "--out" });
    const data = await loadNist36Source({ nist36Dir: values.data, dataDir: values["data-dir"] });
    const split = { train: data.train.x, valid: data.valid.x, test: data.test.x };
    const result = compareCompression(split, {
      settings: { autoencoder, components, center: !values.uncentered },
      onEpochEnd: values.quiet ? undefined : (epoch, train, valid) =>
        output.stderr(
          `epoch ${epoch + 1}/${autoencoder.epochs}  train loss ${train.toFixed(3)}  valid loss ${
            valid.toFixed(3)
          }`,
        ),
    });
    const report = await writeCompressionReport(out, {
      result,
      data: { train: data.train.x, valid: { x: data.valid.x, labels: data.valid.labels } },
      dataNote: describeNist36Source(data),
      classes,
    });
    const psnr = (p: { valid: number; test: number }) =>
      `${p.valid.toFixed(2)}/${p.test.toFixed(2)}`;
    output.stderr(
      `autoencoder PSNR ${psnr(result.autoencoderPsnr)} dB, PCA ${
        psnr(result.pca.psnr)
      } dB (validation/test)`,
    );
    output.stdout(report);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
