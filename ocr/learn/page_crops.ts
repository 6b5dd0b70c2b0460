/**
 * A page read up to the classifier, the way {@linkcode readText} reads it
 * ({@linkcode classifyPage}): one crop per character in reading order, which
 * line each belongs to, and the text the model reads on each line. Learning
 * needs the crops and their lines, not just the text, to pair them with the
 * page's true text.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import type { Tensor } from "../../autograd/tensor.ts";
import { type ImageSource, readPhoto } from "../image_input.ts";
import { chooseCharacters } from "../model/context.ts";
import type { OcrModel } from "../model/load.ts";
import { classifyPage } from "../read_text.ts";

/** One line of a page: which crops are its characters, and what the model reads there. */
export interface PageLine {
  /** Rows of {@linkcode PageCrops.crops} of the line's characters, left to right. */
  rows: number[];
  /** The text the model reads on the line, words joined by one space (with word context). */
  read: string;
}

/** What {@linkcode readPageCrops} returns. */
export interface PageCrops {
  /** The page's name in messages. */
  name: string;
  /** Lines top to bottom. */
  lines: PageLine[];
  /** One crop per character `[characters, size²]`, in reading order (line by line). */
  crops: Tensor;
}

/**
 * Reads `source` (a photo's path, URL, bytes, Blob or decoded pixels) as
 * `readText` does, up to the crops ({@linkcode classifyPage}), and reads
 * each line with `model` (word context on, as `deno task ocr` prints).
 * Errors name `options.name`.
 */
export async function readPageCrops(
  source: ImageSource,
  model: OcrModel,
  options: { name: string },
): Promise<PageCrops> {
  const { name } = options;
  const photo = await readPhoto(source).catch((error) => {
    if (!(error instanceof InklingError)) throw error;
    // The reader names the path it opened; the user knows the page by `name`.
    const path = typeof source === "string" ? `${source}: ` : undefined;
    const reason = path && error.message.startsWith(path)
      ? error.message.slice(path.length)
      : error.message;
    throw new InklingError(`${name}: ${reason}`);
  });
  const { lines, crops, probs, classes } = classifyPage(photo, model, { name });
  const count = probs.shape[1];
  const read = (rows: number[]) =>
    chooseCharacters(rows.map((row) => probs.data.subarray(row * count, (row + 1) * count)), {
      classes,
    }).join("");
  return {
    name,
    crops,
    lines: lines.map((words) => ({ rows: words.flat(), read: words.map(read).join(" ") })),
  };
}
