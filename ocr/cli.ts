/**
 * `deno task ocr IMAGE`: prints the handwritten text of a photo, one line per
 * text line with words separated by single spaces, and nothing else on
 * stdout. `--json` prints lines → words → characters with boxes and the top
 * three classes instead; `--overlay FILE.png` also writes a picture of the
 * boxes and the characters read; `--model FILE` reads with another
 * checkpoint. Any problem is one `error: …` line on stderr and exit code 1
 * (2 for bad flags); a blank page prints nothing and succeeds.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { encodePng } from "image-js";
import { InklingError } from "../autograd/errors.ts";
import { writeFileAtomic } from "../datasets/files.ts";
import { readImage } from "./image_input.ts";
import { drawReadOverlay } from "./model/read_overlay.ts";
import { type ReadResult, readText } from "./read_text.ts";

const USAGE = `usage: deno task ocr IMAGE [--json] [--overlay OUT.png] [--model FILE] [--no-context]
  IMAGE             a PNG or JPEG photo of block-letter handwriting
  --json            print lines, words and characters with boxes and top-3 classes
  --overlay FILE    also write a PNG of the boxes and the characters read
  --model FILE      classifier checkpoint (default: the committed model)
  --no-context      do not let word context settle 0/O, 1/I, 5/S, 2/Z, 8/B`;

/** Where the CLI writes (the console by default; tests capture it). */
export interface CliOutput {
  /** Receives stdout lines. */
  stdout: (line: string) => void;
  /** Receives stderr lines. */
  stderr: (line: string) => void;
}

const CONSOLE: CliOutput = {
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
};

/** Probabilities rounded down to 6 decimals, so a top-3 never sums above 1. */
const floor6 = (p: number) => Math.floor(p * 1e6) / 1e6;

/** The `--json` document. */
function jsonDocument(result: ReadResult): unknown {
  return {
    text: result.text,
    lines: result.lines.map((line) => ({
      words: line.words.map((word) => ({
        text: word.text,
        chars: word.chars.map((c) => ({
          char: c.char,
          box: c.box,
          top3: c.top3.map((g) => ({ char: g.char, p: floor6(g.p) })),
        })),
      })),
    })),
  };
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[], output: CliOutput = CONSOLE): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        overlay: { type: "string" },
        model: { type: "string" },
        "no-context": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    output.stderr(`error: ${(error as Error).message} (see --help)`);
    return 2;
  }
  if (values.help) {
    output.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    output.stderr(
      `error: give exactly one image, got ${
        positionals.length === 0 ? "none" : positionals.join(" ")
      } (see --help)`,
    );
    return 2;
  }
  try {
    const image = await readImage(positionals[0]);
    const result = await readText(image, {
      model: values.model,
      context: !values["no-context"],
    });
    if (values.overlay) {
      const png = encodePng(drawReadOverlay(image, result));
      const path = values.overlay;
      await writeFileAtomic(path, png).catch((error) => {
        throw new InklingError(`cannot write the overlay ${path} (${error.message})`);
      });
    }
    if (values.json) output.stdout(JSON.stringify(jsonDocument(result), null, 2));
    else if (result.text !== "") output.stdout(result.text);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // One line only: a message never carries a stack trace onto the terminal.
    const note = error instanceof InklingError ? "" : " (unexpected; please report it)";
    output.stderr(`error: ${message.split("\n")[0]}${note}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
