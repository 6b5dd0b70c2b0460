import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { decode, encodePng, Image } from "image-js";
import { Rng } from "../../autograd/mod.ts";
import { saveCheckpoint } from "../../layers/mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { characterErrorRate } from "../../ocr/eval.ts";
import { main } from "../../ocr/cli.ts";
import { readText } from "../../ocr/read_text.ts";
import { chooseCharacters, loadOcrModel } from "../../ocr/model/mod.ts";
import { createClassifier, parseArchitecture } from "../../models/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

const IMAGES = `${DATA_DIR}/images`;
const NAMES = ["01_list", "02_letters", "03_haiku", "04_deep"];
/** Bar on the mean character error rate (measured 0.0 %; one error in 02_letters would be 0.6 %). */
const MEAN_CER_BAR = 0.015;
/** Bar on 02_letters without word context (measured 2.5 %: its 0 read as O). */
const LETTERS_NO_CONTEXT_BAR = 0.05;

/** Path of a sample photo and its true text, failing loudly when the data is missing. */
async function sample(name: string): Promise<{ photo: string; truth: string }> {
  const photo = `${IMAGES}/${name}.jpg`;
  if (!existsSync(photo)) {
    throw new Error(`missing ${photo}: set INKLING_DATA_DIR to the shared data directory`);
  }
  return { photo, truth: (await Deno.readTextFile(`${IMAGES}/${name}.txt`)).trimEnd() };
}

/** Runs the CLI in-process, capturing its output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

Deno.test("readText on the four photos: structure, top-3 and mean character error rate", async () => {
  const model = await loadOcrModel();
  let totalCer = 0;
  let plainLettersCer = Infinity;
  for (const name of NAMES) {
    const { photo, truth } = await sample(name);
    const result = await readText(photo, { model });
    const trueLines = truth.split("\n");
    // Line and word structure comes from the image side; every word's length must match.
    assert.deepEqual(
      result.lines.map((line) => line.words.map((word) => word.chars.length)),
      trueLines.map((line) => line.split(" ").map((word) => word.length)),
    );
    assert.equal(
      result.text,
      result.lines.map((l) => l.words.map((w) => w.text).join(" ")).join("\n"),
    );
    for (const char of result.lines.flatMap((l) => l.words.flatMap((w) => w.chars))) {
      assert.equal(char.top3.length, 3);
      assert.ok(char.top3[0].p >= char.top3[1].p && char.top3[1].p >= char.top3[2].p);
      assert.ok(char.top3.reduce((s, g) => s + g.p, 0) <= 1 + 1e-6);
      assert.match(char.char, /^[A-Z0-9]$/);
      const [y1, x1, y2, x2] = char.box;
      assert.ok(y1 < y2 && x1 < x2);
    }
    totalCer += characterErrorRate(result.text, truth);
    if (name === "02_letters") {
      // Where context matters most: a row of digits holding 0 and 5.
      const plain = await readText(photo, { model, context: false });
      plainLettersCer = characterErrorRate(plain.text, truth);
    }
  }
  // Measured with the committed model: mean CER 0.0 % (0.6 % without context).
  assert.ok(totalCer / 4 <= MEAN_CER_BAR, `mean CER ${totalCer / 4}`);
  assert.ok(
    plainLettersCer <= LETTERS_NO_CONTEXT_BAR,
    `02_letters without context ${plainLettersCer}`,
  );
});

Deno.test("word context: a word settles its letter/digit look-alikes; a lone character does not", () => {
  const classes = NIST36_CLASSES;
  const row = (probs: Record<string, number>) => {
    const out = new Float32Array(36);
    for (const [c, p] of Object.entries(probs)) out[classes.indexOf(c)] = p;
    return out;
  };
  // "S0N": the 0 is nearly as likely an O, and the word is letters.
  const son = [row({ S: 0.9, 5: 0.1 }), row({ 0: 0.55, O: 0.45 }), row({ N: 1 })];
  assert.deepEqual(chooseCharacters(son, { classes }), ["S", "O", "N"]);
  assert.deepEqual(chooseCharacters(son, { classes, context: false }), ["S", "0", "N"]);
  // "1O": a digit word reads its O as 0.
  const ten = [row({ 1: 0.9, I: 0.1 }), row({ O: 0.6, 0: 0.4 })];
  assert.deepEqual(chooseCharacters(ten, { classes }), ["1", "0"]);
  // No same-kind class with at least 1 %: the best class stays.
  const mixed = [row({ A: 1 }), row({ B: 1 }), row({ 4: 0.995, A: 0.005 })];
  assert.deepEqual(chooseCharacters(mixed, { classes }), ["A", "B", "4"]);
  assert.deepEqual(chooseCharacters([row({ 0: 0.6, O: 0.4 })], { classes }), ["0"]);
});

Deno.test("loadOcrModel: the default CNN, an MLP checkpoint of deno task train, bad files", async () => {
  const model = await loadOcrModel();
  assert.equal(model.architecture.kind, "cnn");
  assert.equal(model.classes, NIST36_CLASSES);
  const dir = await Deno.makeTempDir({ prefix: "inkling_ocr_model_" });
  try {
    // The metadata `deno task train` writes (classes as the names).
    const architecture = { kind: "mlp", inputs: 1024, hidden: 8, classes: NIST36_CLASSES };
    const mlp = createClassifier(parseArchitecture(architecture, "test"), { rng: new Rng(1) });
    await saveCheckpoint(`${dir}/mlp.safetensors`, {
      model: mlp,
      architecture: { ...architecture, storage: "nist36-transposed" },
    });
    const loaded = await loadOcrModel(`${dir}/mlp.safetensors`);
    assert.equal(loaded.architecture.kind, "mlp");
    const { photo } = await sample("04_deep");
    const result = await readText(photo, { model: `${dir}/mlp.safetensors` });
    assert.deepEqual(result.lines.map((l) => l.words.length), [2, 2, 2]);

    await saveCheckpoint(`${dir}/bare.safetensors`, { model: mlp });
    await assert.rejects(
      loadOcrModel(`${dir}/bare.safetensors`),
      /bare\.safetensors: no architecture description/,
    );
    await saveCheckpoint(`${dir}/wrong.safetensors`, {
      model: mlp,
      architecture: { ...architecture, hidden: 9 },
    });
    await assert.rejects(loadOcrModel(`${dir}/wrong.safetensors`), /weights do not fit/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI: stdout holds only the text; --json and --overlay", async () => {
  const { photo, truth } = await sample("02_letters");
  const plain = await cli([photo]);
  assert.equal(plain.code, 0);
  assert.deepEqual(plain.stderr, []);
  assert.equal(plain.stdout.length, 1);
  assert.equal(plain.stdout[0], truth);

  const dir = await Deno.makeTempDir({ prefix: "inkling_ocr_cli_" });
  try {
    const json = await cli([photo, "--json", "--overlay", `${dir}/overlay.png`]);
    assert.equal(json.code, 0);
    const doc = JSON.parse(json.stdout.join("\n"));
    assert.equal(doc.text, truth);
    const chars = doc.lines.flatMap((l: { words: { chars: unknown[] }[] }) =>
      l.words.flatMap((w) => w.chars)
    ) as { char: string; box: number[]; top3: { char: string; p: number }[] }[];
    assert.equal(chars.length, 36);
    for (const c of chars) {
      assert.equal(c.box.length, 4);
      assert.equal(c.top3.length, 3);
      assert.ok(c.top3.reduce((s, g) => s + g.p, 0) <= 1);
      assert.ok(c.top3.every((g) => g.p >= 0 && /^[A-Z0-9]$/.test(g.char)));
    }
    const overlay = decode(await Deno.readFile(`${dir}/overlay.png`));
    assert.equal(overlay.width, 1600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CLI: bad input gives one line on stderr and a non-zero exit; a blank page reads empty", async () => {
  const dir = await Deno.makeTempDir({ prefix: "inkling_ocr_bad_" });
  try {
    await Deno.writeTextFile(`${dir}/notes.jpg`, "just some text, not a photo\n");
    await Deno.writeFile(`${dir}/empty.png`, new Uint8Array());
    await Deno.writeFile(`${dir}/tiny.png`, encodePng(new Image(1, 1, { colorModel: "GREY" })));
    // A PNG header claiming 20000 × 10000 (200 megapixels), nothing behind it.
    const bomb = new Uint8Array(33);
    bomb.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    new DataView(bomb.buffer).setUint32(16, 20000);
    new DataView(bomb.buffer).setUint32(20, 10000);
    await Deno.writeFile(`${dir}/bomb.png`, bomb);
    const cases: [string[], RegExp][] = [
      [[`${dir}/notes.jpg`], /notes\.jpg: not a PNG or JPEG/],
      [[`${dir}/empty.png`], /empty\.png: the file is empty/],
      [[`${dir}/tiny.png`], /tiny\.png: a 1 × 1 image is too small/],
      [[`${dir}/bomb.png`], /bomb\.png: 20000 × 10000 = 200\.0 megapixels is more than/],
      [[`${dir}/missing.jpg`], /missing\.jpg: cannot read/],
      [[], /give an image, a folder or -/],
      [[`${dir}/notes.jpg`, "--frobnicate"], /frobnicate/],
      [[`${IMAGES}/04_deep.jpg`, "--model", `${dir}/notes.jpg`], /notes\.jpg/],
      [
        [`${IMAGES}/04_deep.jpg`, "--overlay", `${dir}/no/such/dir.png`],
        /cannot write the overlay/,
      ],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      assert.notEqual(run.code, 0, args.join(" "));
      assert.deepEqual(run.stdout, []);
      assert.equal(run.stderr.length, 1, run.stderr.join("\n"));
      assert.match(run.stderr[0], /^error: /);
      assert.match(run.stderr[0], message);
      assert.doesNotMatch(run.stderr[0], /\n|\bat \S+:\d+:\d+/);
    }
    const white = new Image(400, 300, { colorModel: "GREY" }).fill(235);
    await Deno.writeFile(`${dir}/blank.png`, encodePng(white));
    const blank = await cli([`${dir}/blank.png`]);
    assert.deepEqual(blank, { code: 0, stdout: [], stderr: [] });
    const blankJson = await cli([`${dir}/blank.png`, "--json"]);
    assert.deepEqual(JSON.parse(blankJson.stdout.join("\n")), {
      path: `${dir}/blank.png`,
      text: "",
      lines: [],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
