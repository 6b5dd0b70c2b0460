/**
 * `deno task train`: trains a character classifier from a preset (default
 * `nist36-mlp`, the assignment's network) with the changes its flags ask
 * for, and writes the run directory (model, history.json, figures, report).
 * Flags only; the work is in train_classifier.ts and report.ts.
 *
 * @module
 */

import { numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import { describeNist36Source, loadNist36Source } from "../datasets/nist36_source.ts";
import { type LrStudyRun, writeRunDirectory } from "./report.ts";
import { DEFAULT_PRESET, preset, PRESETS, type TrainSettings } from "./settings.ts";
import { trainClassifier } from "./train_classifier.ts";

const d = PRESETS[DEFAULT_PRESET].settings;
const USAGE = `usage: deno task train [--preset NAME] [options]
  --preset NAME        starting settings (default ${DEFAULT_PRESET}); flags below change them:
${
  Object.entries(PRESETS).map(([name, p]) => `                         ${name}: ${p.description}`)
    .join("\n")
}
  --out DIR            run directory (default runs/nist36; runs/<preset> for other presets)
  --data DIR           folder with nist36_{train,valid,test}.mat (default: the UNIPEN-built set)
  --data-dir DIR       shared data root holding unipen-train_r01_v07 (or INKLING_DATA_DIR)
  --hidden N           hidden units (${d.hidden})
  --epochs N           epochs (${d.epochs})
  --batch-size N       minibatch size (${d.batchSize})
  --lr X               initial learning rate, cosine schedule (${d.lr})
  --weight-decay X     L2 weight decay (${d.weightDecay})
  --shift N            random shift augmentation in pixels, 0 for none (${d.shift})
  --seed N             seed (${d.seed})
  --manual             train the MLP through the hand-written backward pass instead of the tape
  --lr-study           also train at 10× and 0.1× the learning rate and compare`;

/** Runs the CLI; returns the exit code. */
export function main(args: string[]): Promise<number> {
  const flags = {
    preset: { type: "string" },
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
    const chosen = preset(values.preset ?? DEFAULT_PRESET);
    const base = chosen.settings;
    const count = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback, integer: true });
    const real = (name: keyof typeof values, fallback: number) =>
      numberFlag(values[name], name, { fallback });
    const settings: TrainSettings = {
      ...base,
      hidden: count("hidden", base.hidden),
      epochs: count("epochs", base.epochs),
      batchSize: count("batch-size", base.batchSize),
      lr: real("lr", base.lr),
      weightDecay: real("weight-decay", base.weightDecay),
      shift: count("shift", base.shift),
      seed: count("seed", base.seed),
      manual: values.manual ?? base.manual,
    };
    if (settings.manual && settings.model !== "mlp") {
      throw new UsageError("--manual needs the MLP: the hand-written backward pass is the MLP's");
    }
    const loadStart = performance.now();
    const data = await loadNist36Source({
      nist36Dir: values.data,
      dataDir: values["data-dir"],
      samples: settings.samples,
    });
    const sizes = [data.train, data.valid, data.test].map((s) => s.labels.length).join("/");
    const loadSeconds = (performance.now() - loadStart) / 1000;
    output.stderr(`data: ${data.dir} (${sizes}) in ${loadSeconds.toFixed(2)} s`);
    const result = await trainClassifier(data, { settings });
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
          : await trainClassifier(data, { settings: { ...settings, lr }, progress: "none" });
        lrStudy.push({ lr, history: run.history, testAccuracy: run.testAccuracy });
      }
    }
    const report = await writeRunDirectory(values.out ?? chosen.out, {
      result,
      dataNote: describeNist36Source(data),
      lrStudy,
    });
    output.stdout(report);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
