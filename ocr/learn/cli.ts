/**
 * `deno task ocr:learn --image PAGE --text TRUTH … --out MY_MODEL.safetensors`:
 * learns the handwriting of the pages given (each with the text it says) and
 * writes a personal model that `deno task ocr --model MY_MODEL.safetensors`
 * reads. Every page is read and paired with its truth before any training,
 * so a page that does not pair up (a letter the photo split in two, a typo in
 * the truth) stops the command at once with one `error:` line naming the
 * page and line; nothing is written then. The model is written atomically.
 *
 * @module
 */

import { dirname } from "node:path";
import { InklingError } from "../../autograd/errors.ts";
import { checkWritableDir, readFileLimited } from "../../formats/files.ts";
import {
  type CommandOutput,
  numberFlag,
  runCommand,
  UsageError,
} from "../../tools/command_line.ts";
import { callerDirectory, resolveFrom } from "../cli_inputs.ts";
import { ADAPT_DEFAULTS } from "./adapt.ts";
import { learnHandwriting, saveLearnedModel } from "./learn.ts";

const USAGE = `usage: deno task ocr:learn --image PAGE --text TRUTH [--image PAGE --text TRUTH]...
                         --out MODEL.safetensors [--model BASE] [--epochs N] [--seed N]
                         [--no-replay]
  --image PAGE    a photo of your block-letter handwriting (PNG or JPEG)
  --text TRUTH    what that page says: one line of text per written line (spaces
                  are ignored); give one --text per --image, in the same order
  --out FILE      where your model goes; read with it by
                  deno task ocr --model FILE photo.jpg
  --model BASE    the checkpoint to start from (default: the committed model)
  --epochs N      passes over your characters (default ${ADAPT_DEFAULTS.epochs})
  --seed N        seed of the augmentation, batch order and replay (default 0)
  --no-replay     do not mix in the base model's training glyphs (used when cached)
relative paths are taken from the directory the task is run in
exit code: 0 written, 1 a page could not be learned from (nothing written), 2 bad usage`;

/** Largest truth file read: a page of text is a few kilobytes. */
const MAX_TRUTH_BYTES = 1 << 20;

/** What the command reads besides its arguments (tests replace it). */
export interface LearnCliOptions {
  /** The directory relative paths are taken from (default: `INIT_CWD`, else the current one). */
  cwd?: string;
}

/** Runs `deno task ocr:learn` with `args`; returns the exit code. */
export function main(
  args: string[],
  output?: CommandOutput,
  options: LearnCliOptions = {},
): Promise<number> {
  const flags = {
    image: { type: "string", multiple: true },
    text: { type: "string", multiple: true },
    out: { type: "string" },
    model: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    "no-replay": { type: "boolean" },
  } as const;
  const spec = { usage: USAGE, flags, output, maxPositionals: 0 };
  return runCommand(args, spec, async ({ values }, out) => {
    const images = values.image ?? [];
    const texts = values.text ?? [];
    if (images.length === 0) {
      throw new UsageError("give a page to learn from: --image PAGE --text TRUTH");
    }
    if (images.length !== texts.length) {
      throw new UsageError(
        `${images.length} --image but ${texts.length} --text; give one --text per --image, in the same order`,
      );
    }
    if (values.out === undefined) {
      throw new UsageError("--out FILE is needed: where the model goes");
    }
    const epochs = numberFlag(values.epochs, "--epochs", {
      fallback: ADAPT_DEFAULTS.epochs,
      integer: true,
      min: 1,
      max: 100,
    });
    const seed = numberFlag(values.seed, "--seed", {
      fallback: 0,
      integer: true,
      max: 2 ** 32 - 1,
    });
    const cwd = options.cwd ?? callerDirectory();
    const at = (path: string) => resolveFrom(cwd, path);
    const target = at(values.out);
    for (const input of [...images, ...texts]) {
      if (await sameFile(target, at(input))) {
        throw new UsageError(`--out ${values.out} is an input of this command; give a new file`);
      }
    }
    if ((await Deno.stat(target).catch(() => undefined))?.isDirectory) {
      throw new UsageError(`--out ${values.out} is a folder; give the model's file name`);
    }
    await checkWritableDir(dirname(target), { what: "--out" });
    const pages = await Promise.all(images.map(async (image, i) => ({
      image: at(image),
      name: image,
      truth: await readTruth(at(texts[i]), texts[i]),
      truthName: texts[i],
    })));
    const started = performance.now();
    const learned = await learnHandwriting(pages, {
      model: values.model === undefined ? undefined : at(values.model),
      epochs,
      seed,
      replay: values["no-replay"] ? false : undefined,
      onReplay: (note) => out.stderr(note),
      onEpoch: (e) =>
        out.stderr(
          `epoch ${e.epoch}/${e.epochs}: loss ${e.loss.toFixed(3)}, ` +
            `${(100 * e.accuracy).toFixed(1)} % of your (jittered) characters right`,
        ),
    });
    await saveLearnedModel(target, learned);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out.stderr(
      `learned ${learned.characters} characters from ${pages.length} page(s) in ${seconds} s; ` +
        `wrote ${values.out} (read with it: deno task ocr --model ${values.out} PHOTO)`,
    );
  });
}

/** The text of a truth file; errors name it as the user gave it. */
async function readTruth(path: string, name: string): Promise<string> {
  const bytes = await readFileLimited(path, { maxBytes: MAX_TRUTH_BYTES, what: "truth text" })
    .catch((error) => {
      throw new InklingError(`${name}: ${error.message.replace(`${path}: `, "")}`);
    });
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InklingError(`${name}: not UTF-8 text; the truth is a plain text file`);
  }
}

/** Whether two paths name the same existing file (any links or `..` on the way). */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([a, b].map((p) => Deno.stat(p).catch(() => undefined)));
  if (sa === undefined || sb === undefined) return false;
  if (sa.ino !== null && sb.ino !== null) return sa.dev === sb.dev && sa.ino === sb.ino;
  return await Deno.realPath(a) === await Deno.realPath(b);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
