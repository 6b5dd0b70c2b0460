/**
 * `deno task ocr PATH...`: prints the handwritten text of photos, like
 * Tesseract's command line. A PATH is an image file, a folder (its PNG and
 * JPEG files, sorted by name) or `-` for an image on stdin; relative paths
 * are taken from the caller's directory. The model is loaded once for all.
 *
 * `--format text` (the default) prints each image's text, one line per text
 * line with words separated by single spaces, and nothing else on stdout;
 * with several images each is introduced by a `==> PATH <==` line.
 * `--format json` (or `--json`) prints one JSON object per image (JSON Lines)
 * with its path, text, and lines → words → characters with boxes and the top
 * three classes; `--format tsv` Tesseract's 12-column TSV; `--format hocr` one
 * hOCR document with a page per image. `--overlay FILE.png` (one image only)
 * also writes a picture of the boxes and the characters read (never over the
 * photo or the model read, nor over an existing file that is not a PNG);
 * `--model FILE` reads with another checkpoint.
 *
 * Exit codes: 0 when every image was read (a blank page prints nothing and
 * succeeds); 1 when any failed — each failure is one `error: PATH: …` line on
 * stderr and the other images are still read and printed; 2 for bad flags or
 * arguments.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { PNG_SIGNATURE } from "../formats/png.ts";
import {
  type CommandOutput,
  isSystemError,
  oneLine,
  runCommand,
  UsageError,
} from "../tools/command_line.ts";
import {
  callerDirectory,
  type CliInput,
  expandInputs,
  readInputImage,
  resolveFrom,
} from "./cli_inputs.ts";
import { overlayPng } from "./model/read_overlay.ts";
import {
  createFormatter,
  isOutputFormat,
  OUTPUT_FORMATS,
  type OutputFormat,
} from "./output/formatter.ts";
import { readText, resolveModel } from "./read_text.ts";

const USAGE =
  `usage: deno task ocr PATH... [--format text|json|tsv|hocr] [--overlay OUT.png] [--model FILE]
                     [--no-context]
  PATH              a PNG or JPEG photo of block-letter handwriting, a folder of them
                    (its .png/.jpg/.jpeg files, sorted by name), or - for one on stdin;
                    relative paths are taken from the directory the task is run in
  --format FORMAT   text (default): the text; with several images, each after a
                      "==> PATH <==" line
                    json: one JSON object per image (path, text, lines, words,
                      characters with boxes and top-3 classes)
                    tsv: Tesseract's TSV (level, page_num, …, conf, text)
                    hocr: one hOCR (XHTML) document, a page per image
  --json            the same as --format json
  --overlay FILE    also write a PNG of the boxes and the characters read (one image only)
  --model FILE      classifier checkpoint (default: the committed model)
  --no-context      do not let word context settle 0/O, 1/I, 5/S, 2/Z, 8/B
exit code: 0 all read, 1 some image failed (the others are still printed), 2 bad usage`;

/** Where the CLI writes (the console by default; tests capture it). */
export type CliOutput = CommandOutput;

/** What the CLI reads besides its arguments (tests replace them). */
export interface CliOptions {
  /** The directory relative paths are taken from (default: `INIT_CWD`, else the current one). */
  cwd?: string;
  /** What `-` reads (default the process's stdin). */
  stdin?: ReadableStream<Uint8Array>;
}

/** Runs the CLI with `args`; returns the exit code. */
export function main(
  args: string[],
  output?: CliOutput,
  options: CliOptions = {},
): Promise<number> {
  const flags = {
    format: { type: "string" },
    json: { type: "boolean" },
    overlay: { type: "string" },
    model: { type: "string" },
    "no-context": { type: "boolean" },
  } as const;
  const spec = { usage: USAGE, flags, output };
  return runCommand(args, spec, async ({ values, positionals }, out) => {
    const format = outputFormat(values.format, values.json ?? false);
    if (positionals.length === 0) {
      throw new UsageError("give an image, a folder or - (stdin), got none");
    }
    if (positionals.filter((p) => p === "-").length > 1) {
      throw new UsageError("- (stdin) can be given only once");
    }
    const cwd = options.cwd ?? callerDirectory();
    const inputs = await expandInputs(positionals, { cwd });
    const several = positionals.length > 1 || inputs.some((input) => input.fromFolder);
    const overlay = values.overlay === undefined ? undefined : resolveFrom(cwd, values.overlay);
    const modelPath = values.model === undefined ? undefined : resolveFrom(cwd, values.model);
    if (overlay !== undefined) {
      if (several || inputs.length !== 1) {
        throw new UsageError("--overlay draws one image; give exactly one PATH (not a folder)");
      }
      await checkOverlayTarget(overlay, [inputs[0].path, modelPath]);
    }
    const model = await resolveModel(modelPath);
    const formatter = createFormatter(format, { several });
    const print = (chunks: string[]) => chunks.forEach((chunk) => out.stdout(chunk));
    print(formatter.begin());
    let failed = 0;
    for (const [i, input] of inputs.entries()) {
      try {
        const image = await readInputImage(input, { stdin: options.stdin });
        const result = await readText(image, {
          model,
          context: !values["no-context"],
          name: input.name,
        });
        if (overlay !== undefined) {
          const png = await overlayPng(image.image(), result);
          await writeFileAtomic(overlay, png).catch((error) => {
            throw new InklingError(`cannot write the overlay ${overlay} (${error.message})`);
          });
        }
        const page = { path: input.name, width: image.width, height: image.height, result };
        print(formatter.page(page, i + 1));
      } catch (error) {
        // One image's failure must not stop the batch: report it, read the others.
        out.stderr(failureLine(input, error));
        failed++;
      }
    }
    print(formatter.end());
    return failed > 0 ? 1 : 0;
  });
}

/** The format chosen by `--format` and `--json`, refusing a contradiction. */
function outputFormat(format: string | undefined, json: boolean): OutputFormat {
  if (format === undefined) return json ? "json" : "text";
  if (!isOutputFormat(format)) {
    throw new UsageError(`--format must be ${OUTPUT_FORMATS.join(", ")}; got ${format}`);
  }
  if (json && format !== "json") {
    throw new UsageError(`--json means --format json, not --format ${format}; give one of them`);
  }
  return format;
}

/**
 * `error: NAME: …` on one line for a failed input. Messages that already
 * start with the name (the readers' do) are not prefixed twice; an error
 * that is neither Inkling's nor the system's is flagged as unexpected.
 */
function failureLine(input: CliInput, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const named = raw.startsWith(`${input.name}: `) ? raw : `${input.name}: ${raw}`;
  const message = oneLine(named);
  const expected = error instanceof InklingError || isSystemError(error);
  const note = expected ? "" : " (unexpected; please report it with the command you ran)";
  return `error: ${message}${note}`;
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
