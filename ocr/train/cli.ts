/**
 * `deno task train`: trains the NIST36 network and writes its run directory
 * (model, history.json, figures, report). Flags only; the work is in
 * train_nist36.ts and report.ts.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { InklingError } from "../../autograd/errors.ts";
import { type LrStudyRun, writeRunDirectory } from "./report.ts";
import {
  DEFAULT_SETTINGS,
  loadTrainingData,
  trainNist36,
  type TrainSettings,
} from "./train_nist36.ts";

const USAGE = `usage: deno task train [options]
  --out DIR            run directory (default runs/nist36)
  --data DIR           folder with nist36_{train,valid,test}.mat (default: the UNIPEN-built set)
  --data-dir DIR       shared data root holding unipen-train_r01_v07 (or INKLING_DATA_DIR)
  --hidden N           hidden units (${DEFAULT_SETTINGS.hidden})
  --epochs N           epochs (${DEFAULT_SETTINGS.epochs})
  --batch-size N       minibatch size (${DEFAULT_SETTINGS.batchSize})
  --lr X               initial learning rate, cosine schedule (${DEFAULT_SETTINGS.lr})
  --weight-decay X     L2 weight decay (${DEFAULT_SETTINGS.weightDecay})
  --shift N            random shift augmentation in pixels, 0 for none (${DEFAULT_SETTINGS.shift})
  --seed N             seed (${DEFAULT_SETTINGS.seed})
  --manual             train through the hand-written backward pass instead of the tape
  --lr-study           also train at 10× and 0.1× the learning rate and compare`;

function numberFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new InklingError(`--${name} needs a non-negative number, got "${value}"`);
  }
  return n;
}

/** Runs the CLI; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: "string" },
        data: { type: "string" },
        "data-dir": { type: "string" },
        hidden: { type: "string" },
        epochs: { type: "string" },
        "batch-size": { type: "string" },
        lr: { type: "string" },
        "weight-decay": { type: "string" },
        shift: { type: "string" },
        seed: { type: "string" },
        manual: { type: "boolean" },
        "lr-study": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const d = DEFAULT_SETTINGS;
    const settings: TrainSettings = {
      hidden: numberFlag(values.hidden, "hidden", d.hidden),
      epochs: numberFlag(values.epochs, "epochs", d.epochs),
      batchSize: numberFlag(values["batch-size"], "batch-size", d.batchSize),
      lr: numberFlag(values.lr, "lr", d.lr),
      weightDecay: numberFlag(values["weight-decay"], "weight-decay", d.weightDecay),
      shift: numberFlag(values.shift, "shift", d.shift),
      seed: numberFlag(values.seed, "seed", d.seed),
      manual: values.manual ?? false,
    };
    const out = values.out ?? "runs/nist36";
    const loadStart = performance.now();
    const data = await loadTrainingData({ nist36Dir: values.data, dataDir: values["data-dir"] });
    console.error(
      `data: ${data.dir} (${data.train.labels.length}/${data.valid.labels.length}/${data.test.labels.length}) in ${
        ((performance.now() - loadStart) / 1000).toFixed(2)
      } s`,
    );
    const result = await trainNist36(data, { settings });
    console.error(
      `trained in ${result.seconds.toFixed(2)} s; test accuracy ${
        (100 * result.testAccuracy).toFixed(2)
      }%`,
    );
    let lrStudy: LrStudyRun[] | undefined;
    if (values["lr-study"]) {
      lrStudy = [];
      for (const lr of [settings.lr / 10, settings.lr, settings.lr * 10]) {
        const run = lr === settings.lr
          ? result
          : await trainNist36(data, { settings: { ...settings, lr }, progress: "none" });
        lrStudy.push({ lr, history: run.history, testAccuracy: run.testAccuracy });
      }
    }
    const dataNote = data.origin === "nist36"
      ? `NIST36 MAT-files from ${data.dir}.`
      : `UNIPEN-built NIST36-format set (writer-disjoint splits) from ${data.dir}.`;
    const report = await writeRunDirectory(out, { result, settings, dataNote, lrStudy });
    console.log(report);
    return 0;
  } catch (error) {
    const known = error instanceof InklingError ||
      (error instanceof TypeError && /parseArgs|option/i.test(error.message));
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    if (!known) console.error("(unexpected; please report it with the command you ran)");
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
