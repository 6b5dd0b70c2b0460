/**
 * Hostile inputs to OCR: checkpoints whose metadata claims a huge network,
 * pages of specks and patterns, image headers that lie about their size, and
 * an overlay path that names an input. Each input is built here, small; each
 * must fail fast with a named error or read correctly, and overwrite nothing.
 */

import assert from "node:assert/strict";
import { encodeJpeg, Image } from "image-js";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/mod.ts";
import { encodeSafetensors } from "../../formats/safetensors/mod.ts";
import { encodePng } from "../../formats/png.ts";
import { CHECKPOINT_FORMAT, saveCheckpoint } from "../../layers/mod.ts";
import { createClassifier, parseArchitecture } from "../../models/mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { main as ocrMain } from "../../ocr/cli.ts";
import { main as evalMain } from "../../ocr/eval_cli.ts";
import { findLetters, loadOcrModel, readImage, readText } from "../../ocr/mod.ts";

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "inkling_hostile_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A checkpoint file holding `tensors` (F32, zeros) and `architecture` as its metadata. */
function checkpointBytes(architecture: unknown, tensors: Record<string, number[]>): Uint8Array {
  const stored = Object.fromEntries(
    Object.entries(tensors).map(([name, shape]) => [
      `model.${name}`,
      { dtype: "F32" as const, shape, data: new Float32Array(shape.reduce((n, d) => n * d, 1)) },
    ]),
  );
  const metadata = { format: CHECKPOINT_FORMAT, architecture: JSON.stringify(architecture) };
  return encodeSafetensors(stored, { metadata });
}

/** Expects `promise` to reject with a FormatError starting with `path: ` and matching `reason`. */
async function rejectsNamed(promise: Promise<unknown>, path: string, reason: RegExp) {
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof FormatError, `${error.name}: ${error.message}`);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    assert.match(error.message, reason);
    return true;
  });
}

Deno.test("loadOcrModel: metadata claiming a huge network fails before it is built", async () => {
  await inTempDir(async (dir) => {
    const tiny = { "layers.1.weight": [1] };
    const cases: [string, unknown, Record<string, number[]>, RegExp][] = [
      // ~270 bytes claiming 68.7 GB of weights; building first died in the allocator.
      [
        "wide.safetensors",
        { kind: "cnn", size: 32, channels: [1024], hidden: 65536, dropout: 0, classes: 36 },
        tiny,
        /needs 6 tensors of 17182304292 values \(68\.7 GB\) in all, the file has 1 of 1 values/,
      ],
      // 4.3 GB claimed: building first took 20 s and 4 GB before the same verdict.
      [
        "deep.safetensors",
        { kind: "cnn", size: 32, channels: [64], hidden: 65536, dropout: 0, classes: 36 },
        tiny,
        /weights do not fit the cnn architecture .*missing \[layers\.1\.bias/,
      ],
      // An MLP whose 50 000 class names do not match the 36 outputs the file holds.
      [
        "names.safetensors",
        { kind: "mlp", inputs: 1024, hidden: 4, classes: distinctNames(50_000) },
        {
          "layers.0.weight": [1024, 4],
          "layers.0.bias": [4],
          "layers.2.weight": [4, 36],
          "layers.2.bias": [36],
        },
        /"classes" gives 50000 classes but the output layer "layers\.2\.bias" has 36 units/,
      ],
      // Right names, wrong shape.
      [
        "shape.safetensors",
        { kind: "mlp", inputs: 1024, hidden: 4, classes: 36 },
        {
          "layers.0.weight": [1024, 5],
          "layers.0.bias": [4],
          "layers.2.weight": [4, 36],
          "layers.2.bias": [36],
        },
        /"layers\.0\.weight" is \[1024, 5\], the architecture needs \[1024, 4\]/,
      ],
      // 1000 inputs round to a 32-pixel side but cannot take a 1024-value crop.
      [
        "inputs.safetensors",
        { kind: "mlp", inputs: 1000, hidden: 4, classes: 36 },
        tiny,
        /reads 1000-value glyphs; OCR crops are squares of 8 to 256 pixels/,
      ],
      [
        "unnamed.safetensors",
        { kind: "mlp", inputs: 1024, hidden: 4, classes: 10 },
        tiny,
        /10 unnamed classes/,
      ],
    ];
    for (const [name, architecture, tensors, reason] of cases) {
      const path = `${dir}/${name}`;
      await Deno.writeFile(path, checkpointBytes(architecture, tensors));
      await rejectsNamed(loadOcrModel(path), path, reason);
    }
  });
});

/** `count` distinct one-character class names. */
function distinctNames(count: number): string {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(0x100 + i)).join("");
}

Deno.test("loadOcrModel: a checkpoint whose tensors fit still loads", async () => {
  await inTempDir(async (dir) => {
    const architecture = { kind: "mlp", inputs: 1024, hidden: 4, classes: NIST36_CLASSES };
    const model = createClassifier(parseArchitecture(architecture, "t"), { rng: new Rng(0) });
    await saveCheckpoint(`${dir}/ok.safetensors`, { model, architecture });
    assert.equal((await loadOcrModel(`${dir}/ok.safetensors`)).classes, NIST36_CLASSES);
  });
});

/** A white grey page of `size` with black `side × side` squares every `pitch` pixels. */
function squares(size: number, options: { side: number; pitch: number }): Image {
  const { side, pitch } = options;
  const data = new Uint8Array(size * size).fill(255);
  for (let y = 5; y + side <= size; y += pitch) {
    for (let x = 5; x + side <= size; x += pitch) {
      for (let dy = 0; dy < side; dy++) {
        data.fill(0, (y + dy) * size + x, (y + dy) * size + x + side);
      }
    }
  }
  return new Image(size, size, { colorModel: "GREY", data });
}

Deno.test("readText: a page of 3 × 3 specks reads as blank (it used to classify every speck)", async () => {
  // 3600 specks: before, 3600 crops in one batch took ~25 s and ~3 GB.
  const specks = squares(600, { side: 3, pitch: 10 });
  assert.equal(findLetters(specks).boxes.length, 0);
  assert.deepEqual(await readText(specks), { lines: [], text: "" });
});

Deno.test("readText: more marks than a page of handwriting holds is refused, naming the image", async () => {
  const page = squares(400, { side: 20, pitch: 40 }); // 100 character-sized squares
  await assert.rejects(
    readText(page, { maxCharacters: 50, name: "grid.png" }),
    (error: Error) =>
      error instanceof InklingError &&
      /^grid\.png: found 100 character-like marks, more than the 50/.test(error.message),
  );
  assert.throws(
    () => findLetters(page, { maxMarks: 99 }),
    /the page has 100 separate marks the size of a character, more than the 99/,
  );
  assert.equal(findLetters(page, { maxMarks: 100 }).boxes.length, 100);
});

/** `jpeg` with its frame header's size replaced by `width × height`. */
function claimSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  const view = new DataView(out.buffer);
  for (let at = 2; at + 9 < out.length; at++) {
    if (out[at] === 0xff && out[at + 1] === 0xc0) {
      view.setUint16(at + 5, height);
      view.setUint16(at + 7, width);
      return out;
    }
  }
  throw new Error("no SOF0 in the test JPEG");
}

Deno.test("readImage: a header claiming more pixels than the file can hold fails before decoding", async () => {
  await inTempDir(async (dir) => {
    const noisy = new Uint8Array(200 * 200 * 3).map((_, i) => (i * 7919) % 251);
    const jpeg = encodeJpeg(new Image(200, 200, { colorModel: "RGB", data: noisy }));
    const liar = `${dir}/liar.jpg`;
    await Deno.writeFile(liar, claimSize(jpeg, 10000, 10000));
    await rejectsNamed(
      readImage(liar),
      liar,
      /10000 × 10000 pixels cannot fit in \d+ bytes \(a JPEG needs at least 390625\)/,
    );
    const png = await encodePng({
      width: 64,
      height: 64,
      channels: 1,
      pixels: noisy.slice(0, 4096),
    });
    new DataView(png.buffer).setUint32(16, 9000);
    new DataView(png.buffer).setUint32(20, 9000);
    await Deno.writeFile(`${dir}/liar.png`, png);
    await rejectsNamed(readImage(`${dir}/liar.png`), `${dir}/liar.png`, /cannot fit in/);
    // The honest file is read.
    await Deno.writeFile(`${dir}/honest.jpg`, jpeg);
    assert.equal((await readImage(`${dir}/honest.jpg`)).width, 200);
  });
});

/** Runs a CLI `main` in-process, capturing its output. */
async function run(
  main: typeof ocrMain,
  args: string[],
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

Deno.test("CLI: --overlay never replaces an input or a file that is not a PNG", async () => {
  await inTempDir(async (dir) => {
    const blank = new Image(64, 48, { colorModel: "RGB" }).fill(240);
    const photoBytes = encodeJpeg(blank);
    const photo = `${dir}/photo.jpg`;
    await Deno.writeFile(photo, photoBytes);
    await Deno.writeTextFile(`${dir}/notes.txt`, "keep me\n");
    await Deno.symlink(photo, `${dir}/link.png`);
    const refused: [string, RegExp][] = [
      [photo, /--overlay .*photo\.jpg is an input of this command/],
      [`${dir}/./sub/../photo.jpg`, /is an input of this command/],
      [`${dir}/link.png`, /is an input of this command/],
      [`${dir}/notes.txt`, /exists and is not a PNG; not replacing it/],
    ];
    await Deno.mkdir(`${dir}/sub`);
    for (const [overlay, message] of refused) {
      const result = await run(ocrMain, [photo, "--overlay", overlay]);
      assert.equal(result.code, 2, overlay);
      assert.deepEqual(result.stdout, []);
      assert.equal(result.stderr.length, 1);
      assert.match(result.stderr[0], /^error: /);
      assert.match(result.stderr[0], message);
    }
    assert.deepEqual(await Deno.readFile(photo), photoBytes);
    assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "keep me\n");
    // A new path, and an older overlay (a PNG), are written.
    for (let i = 0; i < 2; i++) {
      assert.equal((await run(ocrMain, [photo, "--overlay", `${dir}/overlay.png`])).code, 0);
    }
  });
});

Deno.test("CLI: an extra positional argument is a usage error in ocr:eval", async () => {
  const result = await run(evalMain, ["images"]);
  assert.equal(result.code, 2);
  assert.deepEqual(result.stdout, []);
  assert.equal(result.stderr.length, 1);
  assert.match(result.stderr[0], /^error: unexpected argument "images"/);
});
