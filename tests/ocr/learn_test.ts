/** Learning a user's handwriting: pairing boxes with the truth, the ocr:learn command, its model. */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../autograd/mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { BatchNorm, loadCheckpoint } from "../../layers/mod.ts";
import { createCnn } from "../../models/glyph_cnn.ts";
import { characterErrorRate } from "../../ocr/eval.ts";
import { main } from "../../ocr/learn/cli.ts";
import {
  adaptNetwork,
  matchBoxes,
  type PageCrops,
  truthLines,
  TruthMismatchError,
} from "../../ocr/learn/mod.ts";
import { loadOcrModel } from "../../ocr/model/load.ts";
import { readText } from "../../ocr/read_text.ts";
import { DATA_DIR } from "../shared_data.ts";

const IMAGES = `${DATA_DIR}/images`;
const PHOTOS = ["01_list", "02_letters", "03_haiku", "04_deep"];

/** Runs the command in-process from the data directory, capturing its output. */
async function learn(
  args: string[],
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) };
  const code = await main(args, output, { cwd: DATA_DIR });
  return { code, stdout, stderr };
}

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "inkling_ocr_learn_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A page of two lines, "ABC" and "DE", as `readPageCrops` returns it (crops are not looked at). */
const PAGE: PageCrops = {
  name: "page.jpg",
  crops: new Tensor(new Float32Array(5 * 4), [5, 4]),
  lines: [
    { rows: [0, 1, 2], read: "ABC" },
    { rows: [3, 4], read: "D8" },
  ],
};

Deno.test("matchBoxes: the truth's characters label the boxes in reading order, spaces and case ignored", () => {
  assert.deepEqual(truthLines("A BC \r\n\n  DE\n"), ["A BC", "DE"]);
  const labels = matchBoxes(PAGE, "a b c\n\nD E\n", { classes: NIST36_CLASSES });
  assert.deepEqual([...labels], [0, 1, 2, 3, 4]);
});

Deno.test("matchBoxes: a mismatch names the page and line, with both counts and the texts", () => {
  const options = { classes: NIST36_CLASSES, truthName: "page.txt" };
  assert.throws(
    () => matchBoxes(PAGE, "ABC\nDEF", options),
    (e: unknown) =>
      e instanceof TruthMismatchError && e.page === "page.jpg" && e.line === 2 &&
      e.found === 2 && e.expected === 3 &&
      e.message === 'page.jpg: line 2 has 2 characters in the photo and 3 in page.txt: read "D8" ' +
          '(2 characters), expected "DEF" (3) (spaces are not counted)',
  );
  assert.throws(
    () => matchBoxes(PAGE, "ABC", options),
    (e: unknown) =>
      e instanceof TruthMismatchError && e.line === 2 && e.found === 2 && e.expected === 1 &&
      e.message.startsWith(
        "page.jpg: 2 lines of writing found, page.txt has 1; line 2 is the " +
          'first that differs: read "D8" (2 characters), expected "" (0)',
      ),
  );
  assert.throws(
    () => matchBoxes(PAGE, "AB\nC\nDE", options),
    (e: unknown) =>
      e instanceof TruthMismatchError && e.line === 1 && e.found === 2 && e.expected === 3 &&
      /line 1 is the first that differs: read "ABC" \(3 characters\), expected "AB" \(2\)/
        .test(e.message),
  );
  assert.throws(
    () => matchBoxes(PAGE, "ABC\nD?", options),
    (e: unknown) =>
      e instanceof Error &&
      e.message.startsWith('page.txt: line 2 has "?", which the model has no class for'),
  );
});

Deno.test("ocr:learn: bad usage exits 2 with one error line, before any work", async () => {
  const cases: [string[], RegExp][] = [
    [[], /give a page to learn from/],
    [["--image", "images/02_letters.jpg", "--out", "x.safetensors"], /1 --image but 0 --text/],
    [
      ["--image", "images/02_letters.jpg", "--text", "images/02_letters.txt"],
      /--out FILE is needed/,
    ],
    [["--image", "a.jpg", "--text", "a.txt", "--out", "m", "--epochs", "0"], /--epochs/],
    [["--image", "a.jpg", "--text", "a.txt", "--out", "m", "--seed", "-1"], /--seed/],
    [["--image", "a.jpg", "--text", "a.txt", "--out", "m", "extra"], /unexpected argument/],
    [["--frobnicate"], /unknown option/],
    [["--image", "a.jpg", "--text", "a.txt", "--out", "images"], /is a folder/],
    [
      [
        "--image",
        "images/02_letters.jpg",
        "--text",
        "images/02_letters.txt",
        "--out",
        "images/02_letters.txt",
      ],
      /is an input of this command/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await learn(args);
    assert.equal(code, 2, args.join(" "));
    assert.deepEqual(stdout, []);
    assert.equal(stderr.length, 1, args.join(" "));
    assert.match(stderr[0], /^error: .*\(see --help\)$/);
    assert.match(stderr[0], message);
  }
});

Deno.test("ocr:learn: a truth that does not pair up names page and line; nothing is written", async () => {
  await inTempDir(async (dir) => {
    const truth = `${dir}/wrong.txt`;
    await Deno.writeTextFile(truth, "ABCDEFG\nHIJKLMN\nOPQRST\nVWXYZ\n1234567890\n");
    const out = `${dir}/me.safetensors`;
    await Deno.writeTextFile(out, "an older model");
    const { code, stderr } = await learn([
      "--image",
      "images/02_letters.jpg",
      "--text",
      truth,
      "--out",
      out,
    ]);
    assert.equal(code, 1);
    assert.deepEqual(stderr, [
      `error: images/02_letters.jpg: line 3 has 7 characters in the photo and 6 in ${truth}: ` +
      'read "OPQRSTU" (7 characters), expected "OPQRST" (6) (spaces are not counted)',
    ]);
    assert.equal(await Deno.readTextFile(out), "an older model");
  });
});

Deno.test("ocr:learn: two epochs on 02_letters write a model that reads it and the other photos", async () => {
  await inTempDir(async (dir) => {
    const out = `${dir}/me.safetensors`;
    await Deno.writeTextFile(out, "an older model, replaced atomically");
    const args = [
      "--image",
      "images/02_letters.jpg",
      "--text",
      "images/02_letters.txt",
      "--out",
      out,
      "--epochs",
      "2",
    ];
    const { code, stdout, stderr } = await learn(args);
    assert.equal(code, 0, stderr.join("\n"));
    assert.deepEqual(stdout, []);
    assert.match(
      stderr.at(-1)!,
      new RegExp(`^learned 36 characters from 1 page\\(s\\) in .* s; wrote ${out}`),
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["me.safetensors"]);
    const model = await loadOcrModel(out);
    assert.equal(model.classes, NIST36_CLASSES);
    assert.deepEqual(model.crop, { size: 32, margin: 4, penWidth: 2.56 });
    const { architecture } = await loadCheckpoint(out);
    const { learned } = architecture as { learned: Record<string, unknown> };
    assert.deepEqual(
      { pages: learned.pages, characters: learned.characters, epochs: learned.epochs },
      { pages: ["images/02_letters.jpg"], characters: 36, epochs: 2 },
    );
    for (const name of PHOTOS) {
      const truth = (await Deno.readTextFile(`${IMAGES}/${name}.txt`)).trimEnd();
      const { text } = await readText(`${IMAGES}/${name}.jpg`, { model });
      const cer = characterErrorRate(text, truth);
      assert.ok(cer <= (name === "02_letters" ? 0.05 : 0.02), `${name}: CER ${cer}, read ${text}`);
    }
  });
});

Deno.test("adaptNetwork: batch normalisation keeps its running statistics; its scale learns", () => {
  const network = createCnn(
    { kind: "cnn", size: 8, channels: [3], hidden: 4, dropout: 0, classes: 2, batchNorm: true },
    { rng: new Rng(1) },
  );
  const norm = network.layers.find((layer) => layer instanceof BatchNorm) as BatchNorm;
  const before = {
    mean: Float32Array.from(norm.runningMean.data),
    scale: Float32Array.from(norm.weight.data),
  };
  const rng = new Rng(2);
  const x = new Tensor(Float32Array.from({ length: 4 * 64 }, () => rng.uniform(0, 1)), [4, 64]);
  adaptNetwork(network, { x, labels: Int32Array.from([0, 1, 0, 1]) }, {
    size: 8,
    epochs: 1,
    glyphsPerEpoch: 16,
    batchSize: 4,
  });
  assert.deepEqual(norm.runningMean.data, before.mean);
  assert.notDeepEqual(norm.weight.data, before.scale);
  assert.equal(network.training, false);
});
