/**
 * Hostile command lines for every CLI (`train`, `compress`, `data`, `ocr`,
 * `ocr:eval`, `fuzz`): zero, negative, huge, NaN, infinite, empty and
 * enormous flag values, unknown flags, missing values, extra positionals
 * and an `--out` naming an existing file. Each must end with exit code 1 or
 * 2 and exactly one short `error:` line on stderr that is not flagged as
 * unexpected, within seconds; where the fault is a flag, the line names it.
 * No case can start real work: the data folders, cache and mirror given are
 * empty or missing, so a flag that is accepted fails fast on missing data.
 */

import assert from "node:assert/strict";
import type { CommandOutput } from "../../tools/command_line.ts";
import { encodePng } from "../../formats/png.ts";
import { main as trainMain } from "../../train/cli.ts";
import { main as compressMain } from "../../compression/cli.ts";
import { main as dataMain } from "../../datasets/cli.ts";
import { main as ocrMain } from "../../ocr/cli.ts";
import { main as evalMain } from "../../ocr/eval_cli.ts";
import { main as fuzzMain } from "./cli.ts";

type Main = (args: string[], output?: CommandOutput) => Promise<number>;

/** One command line and, when a flag is at fault, what the error must name. */
interface Case {
  args: string[];
  blame?: RegExp;
}

const scratch = await Deno.makeTempDir({ prefix: "inkling_cli_flags_" });
const MISSING = `${scratch}/missing`;
const FILE = `${scratch}/precious.txt`;
await Deno.writeTextFile(FILE, "keep me");
const IMAGE = `${scratch}/blank.png`;
await Deno.writeFile(
  IMAGE,
  await encodePng({ width: 40, height: 40, channels: 1, pixels: new Uint8Array(1600).fill(255) }),
);

/** Values no count or rate flag may accept. */
const BAD_NUMBERS = ["-1", "1e20", "NaN", "Infinity", "-Infinity", "", "2.5e400", "9".repeat(400)];
const HUGE = "x".repeat(100_000);

/** Every bad value of every number flag (plus 0 where 0 is meaningless), each blamed on its flag. */
function numberCases(flags: string[], positive: string[]): Case[] {
  const cases: Case[] = [];
  for (const flag of flags) {
    const values = [...BAD_NUMBERS, HUGE, ...(positive.includes(flag) ? ["0"] : [])];
    for (const value of values) {
      cases.push({ args: [`--${flag}=${value}`], blame: new RegExp(`--${flag}`) });
    }
  }
  return cases;
}

/** The cases every CLI gets: unknown flags, a missing value, an extra positional. */
function commonCases(stringFlag: string, positional = true): Case[] {
  return [
    { args: ["--nope"], blame: /unknown option "--nope"/ },
    { args: ["--nope=1"], blame: /unknown option "--nope"/ },
    { args: ["-z"], blame: /unknown option "-z"/ },
    { args: [`--${HUGE}`], blame: /unknown option/ },
    { args: [`--${stringFlag}`], blame: new RegExp(`--${stringFlag} needs a value`) },
    ...(positional ? [{ args: ["extra"], blame: /unexpected argument "extra"/ }] : []),
  ];
}

/** Each CLI: its entry point, the arguments every case adds, and its cases. */
const CLIS: { name: string; main: Main; base: string[]; cases: Case[] }[] = [
  {
    name: "train",
    main: trainMain,
    base: ["--data", MISSING, "--data-dir", MISSING, "--out", `${scratch}/run`],
    cases: [
      ...numberCases(
        ["epochs", "batch-size", "hidden", "lr", "weight-decay", "shift", "seed", "dropout"],
        ["epochs", "batch-size", "hidden", "lr"],
      ),
      ...commonCases("out"),
      { args: ["--out", FILE], blame: /--out/ },
      { args: ["--out", `${FILE}/run`], blame: /--out/ },
      { args: ["--channels=0,-1"], blame: /--channels/ },
      { args: [`--channels=${HUGE}`], blame: /--channels/ },
      { args: ["--preset", HUGE], blame: /preset/ },
      { args: ["--model", "rnn"], blame: /--model/ },
      { args: ["--data", ""] },
      { args: ["--seed", "0"] },
    ],
  },
  {
    name: "compress",
    main: compressMain,
    base: ["--data", MISSING, "--data-dir", MISSING, "--out", `${scratch}/compression`],
    cases: [
      ...numberCases(
        ["epochs", "batch-size", "hidden", "lr", "momentum", "seed", "components"],
        ["epochs", "batch-size", "hidden", "lr", "components"],
      ),
      ...commonCases("out"),
      { args: ["--out", FILE], blame: /--out/ },
      { args: ["--classes", ""], blame: /--classes/ },
      { args: ["--classes", "a!"], blame: /--classes/ },
      { args: ["--classes", "A".repeat(100_000)] },
      { args: ["--data", ""] },
    ],
  },
  {
    name: "data build",
    main: dataMain,
    base: ["build", "nist36", "--data-dir", MISSING, "--out", `${scratch}/built`],
    cases: [
      ...numberCases(["seed"], []),
      ...commonCases("out"),
      { args: ["--out", FILE], blame: /--out|precious/ },
      { args: ["--from", MISSING], blame: /--from/ },
      { args: ["--seed", "0"] },
    ],
  },
  {
    name: "data get",
    main: dataMain,
    base: ["get", "mnist", "--from", MISSING, "--data-dir", `${scratch}/data`],
    cases: [
      ...commonCases("from"),
      { args: ["--seed", "1"], blame: /--seed/ },
      { args: ["--data-dir", FILE], blame: /precious|--data-dir/ },
    ],
  },
  {
    name: "ocr",
    main: ocrMain,
    base: [],
    cases: [
      ...commonCases("model", false),
      { args: [], blame: /image/ },
      { args: [MISSING, IMAGE], blame: /missing: cannot read/ },
      { args: [""], blame: /image|file|read/ },
      { args: [HUGE] },
      { args: [IMAGE, "--model", ""], blame: /model|checkpoint|read/ },
      { args: [IMAGE, "--model", HUGE] },
      { args: [IMAGE, "--model", FILE], blame: /precious/ },
      { args: [IMAGE, "--overlay", scratch], blame: /overlay|folder|director/ },
      { args: [IMAGE, "--overlay", IMAGE], blame: /overlay/ },
      { args: [IMAGE, "--json=yes"], blame: /--json/ },
    ],
  },
  {
    name: "ocr:eval",
    main: evalMain,
    base: ["--data-dir", MISSING, "--out", `${scratch}/eval`],
    cases: [
      ...commonCases("out"),
      { args: ["--out", FILE], blame: /--out|precious/ },
      { args: ["--data-dir", ""] },
      { args: ["--model", HUGE] },
    ],
  },
  {
    name: "fuzz",
    main: fuzzMain,
    base: ["--format", "idx", "--out", `${scratch}/fuzz`],
    cases: [
      ...numberCases(["count", "seed", "deadline", "heavy-every"], []),
      ...commonCases("format"),
      { args: ["--format", ""], blame: /format/ },
      { args: ["--format", HUGE], blame: /format/ },
      { args: ["--replay", MISSING], blame: /missing/ },
    ],
  },
];

/** Runs `main` with stdout and stderr captured (the console too, for anything printed directly). */
async function capture(main: Main, args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => stdout.push(parts.join(" "));
  console.error = (...parts: unknown[]) => stderr.push(parts.join(" "));
  const started = performance.now();
  try {
    const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
    return { code, stdout, stderr, ms: performance.now() - started };
  } finally {
    Object.assign(console, { log, error });
  }
}

const env = { INKLING_DATA_DIR: MISSING, INKLING_CACHE_DIR: `${scratch}/cache` };

for (const cli of CLIS) {
  Deno.test(`hostile flags: ${cli.name} fails with one error line and exit 1 or 2`, async () => {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, Deno.env.get(k)]));
    for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
    const problems: string[] = [];
    try {
      for (const { args, blame } of cli.cases) {
        const line = [...cli.base, ...args];
        const shown = line.map((a) => (a.length > 60 ? `${a.slice(0, 20)}…(${a.length})` : a))
          .join(" ");
        const { code, stderr, ms } = await capture(cli.main, line);
        const errors = stderr.filter((l) => l.startsWith("error:"));
        const why = [
          code !== 1 && code !== 2 ? `exit ${code}` : "",
          stderr.length !== 1 || errors.length !== 1 ? `${stderr.length} stderr lines` : "",
          errors.some((l) => /unexpected;/.test(l)) ? "flagged unexpected" : "",
          errors.some((l) => l.length > 1000) ? "error line over 1000 chars" : "",
          blame && !errors.some((l) => blame.test(l)) ? `does not name ${blame}` : "",
          ms > 5000 ? `took ${Math.round(ms)} ms` : "",
        ].filter((w) => w !== "");
        if (why.length > 0) {
          problems.push(
            `${cli.name} ${shown}: ${why.join(", ")}: ${stderr.join(" | ").slice(0, 300)}`,
          );
        }
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
      }
    }
    assert.equal(await Deno.readTextFile(FILE), "keep me");
    assert.deepEqual(problems, [], problems.join("\n"));
  });
}

Deno.test("hostile flags: clean up", async () => {
  await Deno.remove(scratch, { recursive: true });
});
