import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { decode } from "image-js";
import { type CliOptions, main } from "../../ocr/cli.ts";
import { DATA_DIR } from "../shared_data.ts";

const IMAGES = `${DATA_DIR}/images`;
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** The true text of a sample photo, failing loudly when the data is missing. */
async function truth(name: string): Promise<string> {
  if (!existsSync(`${IMAGES}/${name}.jpg`)) {
    throw new Error(`missing ${IMAGES}/${name}.jpg: set INKLING_DATA_DIR to the shared data`);
  }
  return (await Deno.readTextFile(`${IMAGES}/${name}.txt`)).trimEnd();
}

/** Runs the CLI in-process, capturing its output. */
async function cli(
  args: string[],
  options: CliOptions = {},
): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) };
  const code = await main(args, output, options);
  return { code, stdout, stderr };
}

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "inkling_ocr_cli_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("CLI: a file and a folder; text names each image like head, JSON Lines name them too", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/scans`);
    await Deno.symlink(`${IMAGES}/01_list.jpg`, `${dir}/scans/a.jpg`);
    await Deno.symlink(`${IMAGES}/04_deep.jpg`, `${dir}/scans/B.JPG`);
    await Deno.writeTextFile(`${dir}/scans/notes.txt`, "not an image\n");
    const args = ["images/02_letters.jpg", `${dir}/scans`];
    const text = await cli(args, { cwd: DATA_DIR });
    assert.deepEqual(text.stderr, []);
    assert.equal(text.code, 0);
    assert.equal(
      text.stdout.join("\n"),
      [
        "==> images/02_letters.jpg <==",
        await truth("02_letters"),
        "",
        `==> ${dir}/scans/B.JPG <==`,
        await truth("04_deep"),
        "",
        `==> ${dir}/scans/a.jpg <==`,
        await truth("01_list"),
      ].join("\n"),
    );

    const json = await cli(["--json", ...args], { cwd: DATA_DIR });
    assert.equal(json.code, 0);
    assert.equal(json.stdout.length, 3);
    const docs = json.stdout.map((line) => JSON.parse(line));
    assert.deepEqual(docs.map((d) => d.path), [
      "images/02_letters.jpg",
      `${dir}/scans/B.JPG`,
      `${dir}/scans/a.jpg`,
    ]);
    assert.equal(docs[0].text, await truth("02_letters"));
    assert.deepEqual(Object.keys(docs[0]), ["path", "text", "lines"]);
    assert.equal(docs[0].lines[0].words[0].chars[0].top3.length, 3);
  });
});

Deno.test("CLI: one input prints only its text; --format json is one line with its path", async () => {
  const plain = await cli(["images/02_letters.jpg"], { cwd: DATA_DIR });
  assert.deepEqual(plain, { code: 0, stdout: [await truth("02_letters")], stderr: [] });
  const json = await cli(["images/02_letters.jpg", "--format", "json"], { cwd: DATA_DIR });
  assert.equal(json.stdout.length, 1);
  const doc = JSON.parse(json.stdout[0]);
  assert.equal(doc.path, "images/02_letters.jpg");
  assert.equal(doc.text, await truth("02_letters"));
});

Deno.test("CLI: a bad input fails alone: exit 1, one error line, the good images still printed", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/notes.jpg`, "just some text, not a photo\n");
    const args = [`${dir}/notes.jpg`, "images/02_letters.jpg", "images/missing.png"];
    const run = await cli([...args, "--format", "tsv"], { cwd: DATA_DIR });
    assert.equal(run.code, 1);
    assert.equal(run.stderr.length, 2, run.stderr.join("\n"));
    assert.match(run.stderr[0], new RegExp(`^error: ${dir}/notes\\.jpg: not a PNG or JPEG`));
    assert.equal(run.stderr[1], "error: images/missing.png: cannot read an image (not found)");
    const rows = run.stdout.map((line) => line.split("\t"));
    assert.equal(run.stdout[0].split("\t").length, 12);
    // The good image keeps its place among the inputs: page 2.
    assert.deepEqual([...new Set(rows.slice(1).map((r) => r[1]))], ["2"]);
    const words = rows.filter((r) => r[0] === "5").map((r) => r[11]);
    assert.equal(words.join("\n"), await truth("02_letters"));

    const text = await cli(args, { cwd: DATA_DIR });
    assert.equal(text.code, 1);
    assert.equal(text.stderr.length, 2);
    assert.deepEqual(text.stdout, ["==> images/02_letters.jpg <==", await truth("02_letters")]);
  });
});

Deno.test("CLI: usage errors exit 2 with one line and nothing on stdout", async () => {
  await inTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/scans`);
    await Deno.symlink(`${IMAGES}/02_letters.jpg`, `${dir}/scans/a.jpg`);
    const photo = `${IMAGES}/02_letters.jpg`;
    const cases: [string[], RegExp][] = [
      [[], /give an image, a folder or - \(stdin\), got none/],
      [[photo, "--format", "xml"], /--format must be text, json, tsv, hocr; got xml/],
      [[photo, "--json", "--format", "tsv"], /--json means --format json/],
      [[photo, photo, "--overlay", `${dir}/o.png`], /--overlay draws one image/],
      [[`${dir}/scans`, "--overlay", `${dir}/o.png`], /--overlay draws one image/],
      [["-", "-"], /- \(stdin\) can be given only once/],
      [[photo, "--frobnicate"], /unknown option "--frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      assert.equal(run.code, 2, args.join(" "));
      assert.deepEqual(run.stdout, []);
      assert.equal(run.stderr.length, 1);
      assert.match(run.stderr[0], /^error: .* \(see --help\)$/);
      assert.match(run.stderr[0], message);
    }
    assert.equal(existsSync(`${dir}/o.png`), false);
    const help = await cli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout[0], /--format text\|json\|tsv\|hocr/);
  });
});

Deno.test("CLI: - reads an image from stdin, named stdin; --overlay and --model are relative too", async () => {
  await inTempDir(async (dir) => {
    const bytes = await Deno.readFile(`${IMAGES}/02_letters.jpg`);
    const run = await cli(["-", "--format", "json", "--overlay", "out.png"], {
      cwd: dir,
      stdin: ReadableStream.from([bytes]),
    });
    assert.deepEqual(run.stderr, []);
    assert.equal(run.code, 0);
    const doc = JSON.parse(run.stdout[0]);
    assert.equal(doc.path, "stdin");
    assert.equal(doc.text, await truth("02_letters"));
    assert.equal(decode(await Deno.readFile(`${dir}/out.png`)).width, 1600);

    const garbage = ReadableStream.from([new TextEncoder().encode("hello")]);
    const bad = await cli(["-"], { cwd: dir, stdin: garbage });
    assert.equal(bad.code, 1);
    assert.deepEqual(bad.stdout, []);
    assert.equal(bad.stderr.length, 1);
    assert.match(bad.stderr[0], /^error: stdin: /);

    // A model path that does not exist from the caller's directory is one error before any image.
    const model = await cli(["-", "--model", "nope.safetensors"], { cwd: dir });
    assert.equal(model.code, 1);
    assert.match(model.stderr[0], /nope\.safetensors/);
  });
});

Deno.test("deno task ocr: relative paths from the caller's directory (INIT_CWD) and stdin", async () => {
  // The test runner may run under npx, which sets INIT_CWD itself; deno task
  // only sets it when absent, so the child must not inherit it.
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => name !== "INIT_CWD"),
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--quiet",
      "--config",
      CONFIG,
      "ocr",
      "images/02_letters.jpg",
      "-",
      "--format",
      "tsv",
    ],
    cwd: DATA_DIR, // not the directory of deno.json, where the task itself runs
    clearEnv: true,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(await Deno.readFile(`${IMAGES}/04_deep.jpg`));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const errors = new TextDecoder().decode(stderr);
  assert.equal(code, 0, errors);
  const rows = new TextDecoder().decode(stdout).trimEnd().split("\n").map((l) => l.split("\t"));
  assert.equal(
    rows[0].join("\t"),
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
  );
  assert.ok(rows.every((row) => row.length === 12));
  const wordsOf = (page: string) =>
    rows.filter((r) => r[0] === "5" && r[1] === page).map((r) => r[11]).join(" ");
  assert.equal(wordsOf("1"), (await truth("02_letters")).replace(/\n/g, " "));
  assert.equal(wordsOf("2"), (await truth("04_deep")).replace(/\n/g, " "));
});
