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

import { InklingError } from "../autograd/errors.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { type CommandOutput, runCommand, UsageError } from "../tools/command_line.ts";
import { readImage } from "./image_input.ts";
import { overlayPng } from "./model/read_overlay.ts";
import { type ReadResult, readText } from "./read_text.ts";

const USAGE = `usage: deno task ocr IMAGE [--json] [--overlay OUT.png] [--model FILE] [--no-context]
  IMAGE             a PNG or JPEG photo of block-letter handwriting
  --json            print lines, words and characters with boxes and top-3 classes
  --overlay FILE    also write a PNG of the boxes and the characters read
  --model FILE      classifier checkpoint (default: the committed model)
  --no-context      do not let word context settle 0/O, 1/I, 5/S, 2/Z, 8/B`;

/** Where the CLI writes (the console by default; tests capture it). */
export type CliOutput = CommandOutput;

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
export function main(args: string[], output?: CliOutput): Promise<number> {
  const flags = {
    json: { type: "boolean" },
    overlay: { type: "string" },
    model: { type: "string" },
    "no-context": { type: "boolean" },
  } as const;
  return runCommand(args, { usage: USAGE, flags, output }, async ({ values, positionals }, out) => {
    if (positionals.length !== 1) {
      throw new UsageError(
        `give exactly one image, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`,
      );
    }
    const image = await readImage(positionals[0]);
    const result = await readText(image, { model: values.model, context: !values["no-context"] });
    if (values.overlay) {
      const png = await overlayPng(image, result);
      const path = values.overlay;
      await writeFileAtomic(path, png).catch((error) => {
        throw new InklingError(`cannot write the overlay ${path} (${error.message})`);
      });
    }
    if (values.json) out.stdout(JSON.stringify(jsonDocument(result), null, 2));
    else if (result.text !== "") out.stdout(result.text);
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
