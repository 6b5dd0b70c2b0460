/**
 * `deno task fuzz --format F --count N [--seed S]`: long fuzz runs. Each
 * format runs in a child process that reports every case on a line; this
 * process adds them up, and kills and restarts the child past a case that
 * hangs synchronously or takes the process down (the case is regenerated
 * from its index and saved). Prints one JSON summary line per format and
 * saves the first input of each distinct failure, with a `.json` note, under
 * `--out`; `--replay FILE` runs a saved input again and prints its stack.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import {
  type CommandOutput,
  numberFlag,
  runCommand,
  UsageError,
} from "../../tools/command_line.ts";
import { type CaseResult, caseRng, describeFailure, type Failure, runFuzz, Tally } from "./run.ts";
import type { FuzzSummary } from "./run.ts";
import { findTarget, type FuzzTarget, TARGETS } from "./targets.ts";

const NAMES = TARGETS.map((t) => t.name).join(", ");
const USAGE = `usage: deno task fuzz --format F[,G…] --count N [--seed S] [options]
  --format F       one or more of ${NAMES}, or all
  --count N        mutants per format (default 1000)
  --seed S         seed of the run (default 1); case i of seed S is always the same input
  --out DIR        where failing inputs are saved (default runs/fuzz)
  --deadline MS    per-input deadline; slower is a hang (default 5000)
  --heavy-every K  run the heavy part (readText for images) on every K-th case (default 1)
  --replay FILE    run one saved input through --format again and print what happens`;

const FLAGS = {
  format: { type: "string" },
  count: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  deadline: { type: "string" },
  "heavy-every": { type: "string" },
  replay: { type: "string" },
  child: { type: "boolean" },
  start: { type: "string" },
} as const;

/** Ranges of the number flags. */
const LIMITS = {
  count: { min: 0, max: 100_000_000 },
  seed: { min: 0, max: 2 ** 32 - 1 },
  deadline: { min: 1, max: 600_000 },
  "heavy-every": { min: 1, max: 1_000_000 },
  start: { min: 0, max: 100_000_000 },
} as const;

interface Settings {
  count: number;
  seed: number;
  out: string;
  deadline: number;
  heavyEvery: number;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const CHILD_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

/** Runs the fuzz CLI with `args`; returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  return runCommand(
    args,
    { usage: USAGE, flags: FLAGS, output, maxPositionals: 0 },
    async ({ values }, out) => {
      if (!values.format) throw new UsageError(`give --format: ${NAMES} or all`);
      const targets = values.format === "all"
        ? [...TARGETS]
        : values.format.split(",").map((name) => {
          const target = findTarget(name.trim());
          if (!target) {
            throw new UsageError(`unknown format "${name.slice(0, 40)}" (known: ${NAMES})`);
          }
          return target;
        });
      const count = (name: keyof typeof LIMITS, fallback: number) =>
        numberFlag(values[name], name, { fallback, integer: true, ...LIMITS[name] });
      const settings: Settings = {
        count: count("count", 1000),
        seed: count("seed", 1),
        // Absolute, so the children (which run in the repository root) save where asked.
        out: resolvePath(values.out ?? "runs/fuzz"),
        deadline: count("deadline", 5000),
        heavyEvery: count("heavy-every", 1),
      };
      if (values.replay !== undefined) return await replay(targets[0], values.replay, out);
      const start = count("start", 0);
      if (values.child) {
        // A child is told where to start and (as --count) where to stop.
        await child(targets[0], start, settings);
        return 0;
      }
      let failed = false;
      for (const target of targets) {
        const summary = await supervise(target, settings, start, out);
        failed ||= summary.bugs + summary.hangs + summary.badMessages > 0 || summary.interrupted;
        const { failures, ...totals } = summary;
        out.stdout(JSON.stringify({
          ...totals,
          failures: failures.map((f) => ({
            kind: f.kind,
            signature: f.signature,
            index: f.index,
            file: savedPath(settings, target.name, f),
          })),
        }));
        if (summary.interrupted) break;
      }
      return failed ? 1 : 0;
    },
  );
}

/** Where the input of `failure` is saved: one file per distinct signature. */
function savedPath(settings: Settings, format: string, failure: Failure): string {
  let h = 0x811c9dc5;
  for (const c of failure.signature) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return `${settings.out}/${format}/${failure.kind}-${h.toString(16).padStart(8, "0")}.bin`;
}

/** Saves the input of a first failure (unless a previous child already did) with a note beside it. */
async function save(settings: Settings, format: string, failure: Failure, bytes: Uint8Array) {
  const path = savedPath(settings, format, failure);
  if (await Deno.stat(path).then(() => true, () => false)) return;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeFile(path, bytes);
  const note = {
    format,
    seed: settings.seed,
    ...failure,
    replay: `deno task fuzz --format ${format} --replay ${path}`,
  };
  await Deno.writeTextFile(path.replace(/\.bin$/, ".json"), JSON.stringify(note, null, 2) + "\n");
}

const encoder = new TextEncoder();

function writeLine(line: string): void {
  const bytes = encoder.encode(line + "\n");
  for (let at = 0; at < bytes.length;) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/** The child: runs cases from `start` and reports each on a line of JSON. */
async function child(target: FuzzTarget, start: number, settings: Settings): Promise<void> {
  const prepared = await target.prepare();
  try {
    writeLine(JSON.stringify({ ready: Deno.memoryUsage().rss }));
    await runFuzz(target.name, prepared, {
      ...settings,
      deadlineMs: settings.deadline,
      count: settings.count - start,
      start,
      async onCase(result, bytes, first) {
        if (first) await save(settings, target.name, first, bytes);
        writeLine(JSON.stringify(result));
      },
    });
    writeLine(JSON.stringify({ done: true }));
  } finally {
    await prepared.close();
  }
}

/** Splits a byte stream into text lines. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    pending += text;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    yield* parts;
  }
  if (pending) yield pending;
}

function resolvePath(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}

/**
 * Runs cases `start ..< start + settings.count` of `target` in child
 * processes; returns the totals. SIGINT or SIGTERM (e.g. from `timeout`)
 * stops the run and returns what was done, marked `interrupted`.
 */
async function supervise(
  target: FuzzTarget,
  settings: Settings,
  start: number,
  out: CommandOutput,
): Promise<FuzzSummary & { interrupted: boolean }> {
  const tally = new Tally(target.name);
  const end = start + settings.count;
  let next = start;
  let stopping = false;
  let current: Deno.ChildProcess | undefined;
  const stop = () => {
    stopping = true;
    current?.kill("SIGKILL");
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  const progress = setInterval(() => {
    const s = tally.summary();
    out.stderr(`${target.name}: ${s.count} cases, ${s.bugs} bugs, ${s.hangs} hangs, ${s.rate}/s`);
  }, 60_000);
  try {
    await superviseCases();
  } finally {
    clearInterval(progress);
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  }
  return { ...tally.summary(), interrupted: stopping };

  async function superviseCases(): Promise<void> {
    while (next < end && !stopping) {
      const process = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          ...CHILD_PERMISSIONS,
          new URL(import.meta.url).pathname,
          "--child",
          `--format=${target.name}`,
          `--start=${next}`,
          `--count=${end}`,
          `--seed=${settings.seed}`,
          `--out=${settings.out}`,
          `--deadline=${settings.deadline}`,
          `--heavy-every=${settings.heavyEvery}`,
        ],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      current = process;
      let stderr = "";
      const draining = (async () => {
        for await (const text of process.stderr.pipeThrough(new TextDecoderStream())) {
          stderr = (stderr + text).slice(-4000);
        }
      })();
      // A case that never returns is killed: the first needs time to prepare the target.
      let last = performance.now();
      let patience = 120_000;
      let killed = false;
      const watchdog = setInterval(() => {
        if (performance.now() - last > patience && !killed) {
          killed = true;
          process.kill("SIGKILL");
        }
      }, 250);
      let done = false;
      for await (const line of lines(process.stdout)) {
        last = performance.now();
        patience = Math.max(3 * settings.deadline, 15_000);
        if (!line.startsWith("{")) continue;
        const message = JSON.parse(line);
        if (message.done) done = true;
        else if (message.ready !== undefined) {
          if (next === start) tally.baseline(message.ready);
        } else {
          tally.add(message as CaseResult);
          next = (message as CaseResult).index + 1;
        }
      }
      clearInterval(watchdog);
      const status = await process.status;
      await draining;
      // A signal meant for the whole group (timeout, Ctrl-C) is no crash of the case.
      if (done || stopping || status.signal === "SIGTERM" || status.signal === "SIGINT") {
        stopping ||= !done;
        break;
      }
      // The child stopped inside case `next`: make that case again and save it.
      const prepared = await target.prepare();
      const { bytes, how } = await prepared.mutant(caseRng(settings.seed, next));
      await prepared.close();
      const error = killed
        ? new Error(`no result after ${patience} ms; process killed`)
        : new Error(
          `process died (${status.signal ?? `exit ${status.code}`}): ${lastLine(stderr)}`,
        );
      const failure = describeFailure(killed ? "hang" : "crash", error, next, how);
      const first = tally.addFailure(failure);
      if (first) await save(settings, target.name, first, bytes);
      next++;
    }
  }
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter((line) => line.trim() !== "").slice(-3).join(" | ");
}

/** Runs one saved input again and prints its outcome and stack. */
async function replay(target: FuzzTarget, path: string, out: CommandOutput): Promise<number> {
  const bytes = await Deno.readFile(path);
  const note = await Deno.readTextFile(path.replace(/\.bin$/, ".json"))
    .then((text) => JSON.parse(text) as { index?: number }, () => ({ index: 0 }));
  const index = note.index ?? 0;
  const prepared = await target.prepare();
  try {
    const produced = await prepared.run(bytes, { index, heavy: true });
    out.stdout(
      `${target.name} case ${index}: ok, ${produced} bytes of data (bound ${
        prepared.bound(bytes.length, bytes)
      })`,
    );
    return 0;
  } catch (error) {
    const text = error instanceof Error ? `${error.stack}` : String(error);
    out.stdout(`${target.name} case ${index}: ${text}`);
    return error instanceof InklingError ? 0 : 1;
  } finally {
    await prepared.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
