/**
 * SqueezeNet 1.1 (fp16) and fish.png from the shared data folder, with the
 * reference output WinML recorded for them, for the ONNX tests.
 */

import { Tensor } from "../../mod.ts";
import { readImageCHW, SQUEEZENET_PREPROCESS } from "../../datasets/flowers17/image_tensor.ts";
import { DATA_DIR } from "../shared_data.ts";

/** The folder with the model, the image and the reference CSVs. */
export const SQUEEZENET_DIR = `${DATA_DIR}/squeezenet`;
/** The fp16 model. */
export const SQUEEZENET_PATH = `${SQUEEZENET_DIR}/SqueezeNet_fp16.onnx`;
/** SqueezeNet's last fire module: the features fine-tuning uses. */
export const FEATURES_TENSOR = "fire9/concat_1";

/** fish.png as SqueezeNet's input: [1, 3, 224, 224], BGR planes, raw 0–255. */
export async function fishInput(): Promise<Tensor> {
  const chw = await readImageCHW(`${SQUEEZENET_DIR}/fish.png`, SQUEEZENET_PREPROCESS);
  return new Tensor(chw, [1, 3, 224, 224]);
}

/** The 1000 class probabilities WinML's CPU run of the fp16 model gives for fish.png. */
export async function fishReference(): Promise<Float64Array> {
  const csv = await Deno.readTextFile(`${SQUEEZENET_DIR}/Squeezenet_fp16_fish_input_CPU.csv`);
  const out = new Float64Array(1000);
  for (const line of csv.trim().split("\n").slice(1)) {
    const [index, value] = line.split(",").map(Number);
    out[index] = value;
  }
  return out;
}

/** Largest |a[i] − b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths ${a.length} and ${b.length} differ`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
