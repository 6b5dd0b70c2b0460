/**
 * `deno task compress`: trains the autoencoder, fits PCA, and writes the
 * comparison report (figures, report.md, report.html, report.json) into the
 * output directory. Flags only; the work is in compare.ts and report.ts.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { NIST36_CLASSES } from "../datasets/nist36.ts";
import { numberFlag, runCommand } from "../tools/command_line.ts";
import { describeNist36Source, loadNist36Source } from "../datasets/nist36_source.ts";
import { AUTOENCODER_DEFAULTS } from "./autoencoder.ts";
import { compareCompression, COMPRESSION_DEFAULTS } from "./compare.ts";
import { writeCompressionReport } from "./report.ts";

const A = AUTOENCODER_DEFAULTS;
const FLAG_NAMES = { epochs: "epochs", batchSize: "batch-size", hidden: "hidden" } as const;
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
    throw new InklingError(`--classes needs characters from ${NIST36_CLASSES}, got "${value}"`);
  }
  return classes;
}

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
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
  return runCommand(args, { usage: USAGE, flags }, async ({ values }, output) => {
    const integer = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback, integer: true });
    const real = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback });
    const autoencoder = {
      epochs: integer("epochs", A.epochs),
      batchSize: integer("batch-size", A.batchSize),
      lr: real("lr", A.lr),
      momentum: real("momentum", A.momentum),
      hidden: integer("hidden", A.hidden),
      seed: integer("seed", A.seed),
    };
    for (const name of ["epochs", "batchSize", "hidden"] as const) {
      if (autoencoder[name] < 1) throw new InklingError(`--${FLAG_NAMES[name]} must be at least 1`);
    }
    const components = integer("components", COMPRESSION_DEFAULTS.components);
    const classes = classFlag(values.classes);
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
    const report = await writeCompressionReport(values.out ?? "runs/compression", {
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
