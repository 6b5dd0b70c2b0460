/**
 * `deno task ocr IMAGE`: prints the handwritten text of a photo, one line per
 * text line with words separated by single spaces, and nothing else on
 * stdout. `--json` prints lines → words → characters with boxes and the top
 * three classes instead; `--overlay FILE.png` also writes a picture of the
 * boxes and the characters read (never over the photo or the model read, nor
 * over an existing file that is not a PNG); `--model FILE` reads with another
 * checkpoint. Any problem is one `error: …` line on stderr and exit code 1
 * (2 for bad flags or arguments); a blank page prints nothing and succeeds.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { PNG_SIGNATURE } from "../formats/png.ts";
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
  const spec = { usage: USAGE, flags, output, maxPositionals: 1 };
  return runCommand(args, spec, async ({ values, positionals }, out) => {
    if (positionals.length !== 1) throw new UsageError("give exactly one image, got none");
    const path = positionals[0];
    if (values.overlay) await checkOverlayTarget(values.overlay, [path, values.model]);
    const image = await readImage(path);
    const result = await readText(image, {
      model: values.model,
      context: !values["no-context"],
      name: path,
    });
    if (values.overlay) {
      const png = await overlayPng(image, result);
      const target = values.overlay;
      await writeFileAtomic(target, png).catch((error) => {
        throw new InklingError(`cannot write the overlay ${target} (${error.message})`);
      });
    }
    if (values.json) out.stdout(JSON.stringify(jsonDocument(result), null, 2));
    else if (result.text !== "") out.stdout(result.text);
  });
}

/**
 * Refuses, before any work, an overlay path that would replace one of
 * `inputs` (the same file under any name: links, `./`, `..`) or an existing
 * file that is not a PNG: `ocr photo.jpg --overlay photo.jpg` would otherwise
 * swap the photo for PNG bytes.
 */
async function checkOverlayTarget(target: string, inputs: (string | undefined)[]): Promise<void> {
  const existing = await Deno.stat(target).catch(() => undefined);
  if (existing === undefined) return; // a new file replaces nothing
  for (const input of inputs) {
    if (input !== undefined && await sameFile(target, input)) {
      throw new UsageError(`--overlay ${target} is an input of this command; give a new .png path`);
    }
  }
  if (!existing.isFile) throw new UsageError(`--overlay ${target} is not a file`);
  const head = new Uint8Array(PNG_SIGNATURE.length);
  const file = await Deno.open(target);
  try {
    await file.read(head);
  } finally {
    file.close();
  }
  if (!PNG_SIGNATURE.every((b, i) => head[i] === b)) {
    throw new UsageError(
      `--overlay ${target} exists and is not a PNG; not replacing it (give a new .png path)`,
    );
  }
}

/** Whether two paths name the same file: same device and inode, else same real path. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([a, b].map((p) => Deno.stat(p).catch(() => undefined)));
  if (sa === undefined || sb === undefined) return false;
  if (sa.ino !== null && sb.ino !== null) return sa.dev === sb.dev && sa.ino === sb.ino;
  const [ra, rb] = await Promise.all([a, b].map((p) => Deno.realPath(p)));
  return ra === rb;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
