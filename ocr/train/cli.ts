/**
 * `deno task train`: trains the NIST36 network and writes its run directory
 * (model, history.json, figures, report). Flags only; the work is in
 * train_nist36.ts and report.ts.
 *
 * @module
 */

import { numberFlag, runCommand } from "../../datasets/command_line.ts";
import { type LrStudyRun, writeRunDirectory } from "./report.ts";
import {
  DEFAULT_SETTINGS,
  describeData,
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

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
  const flags = {
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
  } as const;
  return runCommand(args, { usage: USAGE, flags }, async ({ values }, output) => {
    const d = DEFAULT_SETTINGS;
    const count = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback, integer: true });
    const real = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback });
    const settings: TrainSettings = {
      hidden: count("hidden", d.hidden),
      epochs: count("epochs", d.epochs),
      batchSize: count("batch-size", d.batchSize),
      lr: real("lr", d.lr),
      weightDecay: real("weight-decay", d.weightDecay),
      shift: count("shift", d.shift),
      seed: count("seed", d.seed),
      manual: values.manual ?? false,
    };
    const loadStart = performance.now();
    const data = await loadTrainingData({ nist36Dir: values.data, dataDir: values["data-dir"] });
    const sizes = [data.train, data.valid, data.test].map((s) => s.labels.length).join("/");
    const loadSeconds = (performance.now() - loadStart) / 1000;
    output.stderr(`data: ${data.dir} (${sizes}) in ${loadSeconds.toFixed(2)} s`);
    const result = await trainNist36(data, { settings });
    output.stderr(
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
    const report = await writeRunDirectory(values.out ?? "runs/nist36", {
      result,
      settings,
      dataNote: describeData(data),
      lrStudy,
    });
    output.stdout(report);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
