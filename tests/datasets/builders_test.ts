import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InklingError } from "../../autograd/errors.ts";
import {
  buildEmnistBalanced,
  buildNist36,
  EMNIST_BALANCED_CLASSES,
  EMNIST_BALANCED_MANIFEST,
  NIST36_MANIFEST,
  splitByWriter,
} from "../../datasets/builders/mod.ts";
import { main } from "../../datasets/cli.ts";
import { parseEmnistMapping, readEmnist } from "../../datasets/emnist.ts";
import { readIdx } from "../../formats/idx/mod.ts";
import { loadNist36, NIST36_CLASSES, type Nist36Split } from "../../datasets/nist36.ts";
import { DATA_DIR } from "../shared_data.ts";

const UNIPEN_ROOT = `${DATA_DIR}/unipen-train_r01_v07`;
const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/+$/, "");
// Two contributors (14 + 34 writers) keep the small builds fast.
const SUBSET_CONTRIBUTORS = ["aga", "imp"];

async function requireUnipen(): Promise<void> {
  const info = await Deno.stat(`${UNIPEN_ROOT}/data/1b`).catch(() => undefined);
  assert.ok(
    info?.isDirectory,
    `UNIPEN data missing: expected ${UNIPEN_ROOT}/data/1b (set INKLING_DATA_DIR to the shared data folder)`,
  );
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

/**
 * Runs `body` with a temp folder holding `out/` (for outputs) and `unipen/`:
 * a UNIPEN tree with only the subset contributors (the reader walks real
 * folders, so those are copied; `include/` is linked).
 */
async function withSubset(body: (unipen: string, out: string) => Promise<void>): Promise<void> {
  await requireUnipen();
  const root = await Deno.makeTempDir({ prefix: "builders_test_" });
  try {
    for (const category of ["1a", "1b", "1c"]) {
      for (const who of SUBSET_CONTRIBUTORS) {
        await copyTree(
          `${UNIPEN_ROOT}/data/${category}/${who}`,
          `${root}/unipen/data/${category}/${who}`,
        );
      }
    }
    await Deno.symlink(`${UNIPEN_ROOT}/include`, `${root}/unipen/include`);
    await body(`${root}/unipen`, `${root}/out`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

function countsOf(labels: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Manifest {
  seed: number;
  writers: string[];
  classes: string[];
  splits: Record<string, { samples: number; writers: number[]; perClass: number[] }>;
  files: Record<string, { bytes: number; sha256: string }>;
}

async function readManifest(path: string): Promise<Manifest> {
  return JSON.parse(await Deno.readTextFile(path));
}

/** Writer sets of the splits are pairwise disjoint, and each split's samples come from its writers. */
function assertWriterDisjoint(
  manifest: Manifest,
  sampleWriters: Record<string, ArrayLike<number>>,
): void {
  const owner = new Map<number, string>();
  for (const [split, { writers }] of Object.entries(manifest.splits)) {
    for (const w of writers) {
      assert.equal(
        owner.get(w),
        undefined,
        `writer ${manifest.writers[w]} in ${owner.get(w)} and ${split}`,
      );
      owner.set(w, split);
    }
  }
  for (const [split, writers] of Object.entries(sampleWriters)) {
    for (let i = 0; i < writers.length; i++) assert.equal(owner.get(writers[i]), split);
  }
}

/** Mean ink (1 − value) of the upright images of class `c` in four halves. */
function inkHalves(split: Nist36Split, c: number) {
  const ink = { left: 0, right: 0, top: 0, bottom: 0 };
  split.labels.forEach((label, n) => {
    if (label !== c) return;
    for (let r = 0; r < 32; r++) {
      for (let col = 0; col < 32; col++) {
        const v = 1 - split.x.data[n * 1024 + col * 32 + r]; // stored transposed
        if (col < 16) ink.left += v;
        else ink.right += v;
        if (r < 16) ink.top += v;
        else ink.bottom += v;
      }
    }
  });
  return ink;
}

Deno.test("buildNist36: exact balanced counts, writer-disjoint, readable, hashes in the manifest", async () => {
  await withSubset(async (unipen, out) => {
    const built = await buildNist36({
      unipenDir: unipen,
      outDir: out,
      seed: 7,
      perClass: { train: 5, valid: 2, test: 1 },
    });
    assert.deepEqual(built.samples, { train: 180, valid: 72, test: 36 });
    assert.equal(built.manifestPath, `${out}/${NIST36_MANIFEST}`);
    const data = await loadNist36(out);
    const manifest = await readManifest(built.manifestPath);
    for (const [split, per] of [["train", 5], ["valid", 2], ["test", 1]] as const) {
      assert.deepEqual(data[split].x.shape, [36 * per, 1024]);
      assert.deepEqual(countsOf(data[split].labels, 36), new Array(36).fill(per));
      assert.equal(manifest.splits[split].samples, 36 * per);
      assert.deepEqual(manifest.splits[split].perClass, new Array(36).fill(per));
      const file = `nist36_${split}.mat`;
      assert.equal(manifest.files[file].sha256, await sha256(`${out}/${file}`));
      assert.equal(built.files[file].sha256, manifest.files[file].sha256);
    }
    assertWriterDisjoint(manifest, {
      train: data.train.writers!,
      valid: data.valid.writers!,
      test: data.test.writers!,
    });
    assert.ok(manifest.writers.every((w) => /^(aga|imp)\//.test(w)), "writers are contributor/ID");
    assert.equal(manifest.seed, 7);
    assert.equal(manifest.classes.join(""), NIST36_CLASSES);
  });
});

Deno.test("buildNist36: the same seed gives the same bytes, another seed other bytes", async () => {
  await withSubset(async (unipen, out) => {
    const perClass = { train: 4, valid: 2, test: 1 };
    const a = await buildNist36({ unipenDir: unipen, outDir: `${out}/a`, seed: 3, perClass });
    const b = await buildNist36({ unipenDir: unipen, outDir: `${out}/b`, seed: 3, perClass });
    assert.deepEqual(b.files, a.files);
    const c = await buildNist36({ unipenDir: unipen, outDir: `${out}/c`, seed: 4, perClass });
    for (const file of Object.keys(a.files)) {
      assert.deepEqual(
        await Deno.readFile(`${out}/a/${file}`),
        await Deno.readFile(`${out}/b/${file}`),
        file,
      );
      assert.notEqual(a.files[file].sha256, c.files[file].sha256, file);
    }
    assert.equal(
      await Deno.readTextFile(`${out}/a/${NIST36_MANIFEST}`),
      await Deno.readTextFile(`${out}/b/${NIST36_MANIFEST}`),
    );
  });
});

Deno.test("buildNist36: glyphs are stored transposed, black ink on a white border", async () => {
  await withSubset(async (unipen, out) => {
    await buildNist36({
      unipenDir: unipen,
      outDir: out,
      perClass: { train: 20, valid: 1, test: 1 },
    });
    const { train } = await loadNist36(out, { splits: ["train"] });
    // An upright L has more ink on its left and at its bottom; its transpose would not.
    const l = inkHalves(train, NIST36_CLASSES.indexOf("L"));
    assert.ok(l.left > 1.5 * l.right, `L: left ${l.left} vs right ${l.right}`);
    assert.ok(l.bottom > 1.2 * l.top, `L: bottom ${l.bottom} vs top ${l.top}`);
    // The outermost pixel ring stays white (margin 4 px, pen at most 3.84 px wide).
    for (let n = 0; n < train.labels.length; n++) {
      const image = train.x.data.subarray(n * 1024, (n + 1) * 1024);
      for (let i = 0; i < 32; i++) {
        for (const at of [i, 31 * 32 + i, i * 32, i * 32 + 31]) assert.equal(image[at], 1);
      }
      assert.ok(Math.min(...image) < 0.05, `glyph ${n} has dark ink`);
    }
  });
});

Deno.test("buildNist36: too few samples per class is one error listing the shortfalls", async () => {
  await withSubset(async (unipen, out) => {
    await assert.rejects(
      buildNist36({ unipenDir: unipen, outDir: out, perClass: { train: 60, valid: 1, test: 1 } }),
      (e: Error) => {
        assert.ok(e instanceof InklingError);
        assert.match(e.message, /^nist36: too few samples per class in the writer-disjoint splits/);
        assert.match(e.message, /train '[A-Z0-9]' has \d+ of 60/);
        assert.ok(!e.message.includes("\n"));
        return true;
      },
    );
    await assert.rejects(
      buildNist36({ unipenDir: unipen, outDir: out, perClass: { train: 1, valid: -1, test: 1 } }),
      /perClass\.valid must be an integer >= 0, got -1/,
    );
  });
});

Deno.test("buildNist36: refuses an output folder inside a git work tree", async () => {
  const inside = `${REPO}/datasets/builders/should_not_exist`;
  await assert.rejects(
    buildNist36({ unipenDir: UNIPEN_ROOT, outDir: inside }),
    /is inside the git work tree .*write built data sets outside the repository/,
  );
  assert.equal(await Deno.stat(inside).catch(() => undefined), undefined);
});

Deno.test("buildEmnistBalanced: readEmnist reads it with the official class mapping", async () => {
  await withSubset(async (unipen, out) => {
    const built = await buildEmnistBalanced({
      unipenDir: unipen,
      outDir: out,
      seed: 2,
      perClass: { train: 3, test: 1 },
    });
    assert.deepEqual(built.samples, { train: 141, test: 47 });
    const official = parseEmnistMapping(
      await Deno.readTextFile(`${DATA_DIR}/emnist-balanced/emnist-balanced-mapping.txt`),
    );
    assert.equal([...official.values()].map((c) => c.chars).join(""), EMNIST_BALANCED_CLASSES);
    const manifest = await readManifest(`${out}/${EMNIST_BALANCED_MANIFEST}`);
    const writers: Record<string, Int32Array> = {};
    for (const [split, per] of [["train", 3], ["test", 1]] as const) {
      const set = await readEmnist(out, "balanced", { split });
      assert.deepEqual(set.mapping, official);
      assert.equal(set.count, 47 * per);
      assert.equal(set.rows, 28);
      assert.equal(set.cols, 28);
      assert.deepEqual(countsOf(set.labels, 47), new Array(47).fill(per));
      // MNIST-style ink: black background, white strokes.
      assert.equal(set.images[0], 0);
      assert.equal(Math.max(...set.images.subarray(0, 784)), 255);
      const w = await readIdx(`${out}/emnist-balanced-${split}-writers-idx1-int.gz`);
      assert.equal(w.type, "int");
      writers[split] = w.data as Int32Array;
      assert.equal(writers[split].length, set.count);
    }
    assertWriterDisjoint(manifest, writers);
  });
});

Deno.test("splitByWriter: whole writers per split, balanced picks, deterministic", () => {
  const samples = Array.from({ length: 600 }, (_, i) => ({
    classIndex: i % 3,
    writer: `w${Math.floor(i / 30)}`, // 20 writers, 10 samples of each class
  }));
  const options = {
    classes: 3,
    classNames: ["a", "b", "c"],
    shares: { train: 3, test: 1 },
    perClass: { train: 100, test: 30 },
    seed: 1,
    what: "toy",
  };
  const split = splitByWriter(samples, options);
  assert.equal(split.splitWriters.train.length + split.splitWriters.test.length, 20);
  assert.deepEqual(split.available.train, [150, 150, 150]);
  assert.deepEqual(split.available.test, [50, 50, 50]);
  for (const name of ["train", "test"] as const) {
    const mine = new Set(split.splitWriters[name]);
    for (const i of split.chosen[name]) {
      assert.ok(mine.has(split.writers.indexOf(samples[i].writer)));
    }
    assert.deepEqual(
      countsOf(Array.from(split.chosen[name], (i) => samples[i].classIndex), 3),
      new Array(3).fill(options.perClass[name]),
    );
  }
  assert.deepEqual(splitByWriter(samples, options), split);
  // "all" in one split takes every sample of its writers there; the other stays balanced.
  const allTrain = splitByWriter(samples, { ...options, perClass: { train: "all", test: 30 } });
  assert.equal(allTrain.chosen.train.length, 450);
  assert.equal(allTrain.chosen.test.length, 90);
  assert.throws(
    () => splitByWriter(samples, { ...options, perClass: { train: 100, test: 60 } }),
    /toy: too few .*test 'a' has 50 of 60; test 'b' has 50 of 60; test 'c' has 50 of 60/,
  );
});

Deno.test("cli: help, bad usage and failures are one line with an exit code", async () => {
  const lines: string[] = [];
  const output = {
    stdout: (l: string) => lines.push(l),
    stderr: (l: string) => lines.push(`E ${l}`),
  };
  assert.equal(await main(["--help"], output), 0);
  assert.match(lines.join("\n"), /build nist36/);
  for (
    const [args, message] of [
      [["build"], /build needs a data set: nist36 or emnist-balanced/],
      [["build", "nist37"], /got "nist37"/],
      [["build", "nist36", "--from", "x"], /build does not take --from/],
      [["get"], /get needs a data set name/],
      [["frob"], /unknown command "frob"/],
      [["build", "nist36", "--wat"], /unknown option "--wat"/],
    ] as const
  ) {
    lines.length = 0;
    assert.equal(await main([...args], output), 2, args.join(" "));
    assert.equal(lines.length, 1);
    assert.match(lines[0], message);
    assert.match(lines[0], /^E error: .*\(see --help\)$/);
  }
  // A value that looks like a flag, or a value out of range, is bad usage: exit 2, as in every task.
  lines.length = 0;
  assert.equal(await main(["build", "nist36", "--seed", "-1"], output), 2);
  assert.deepEqual(lines, [
    "E error: --seed needs a value (write --seed=-1 for one that starts with a dash) (see --help)",
  ]);
  lines.length = 0;
  assert.equal(await main(["build", "nist36", "--seed=-1"], output), 2);
  assert.deepEqual(lines, [
    'E error: --seed needs an integer from 0 to 4294967295, got "-1" (see --help)',
  ]);
  lines.length = 0;
  const inside = `${REPO}/datasets/builders/should_not_exist`;
  assert.equal(await main(["build", "nist36", "--out", inside, "--data", DATA_DIR], output), 1);
  assert.deepEqual(lines.length, 1);
  assert.match(lines[0], /^E error: .* is inside the git work tree/);
});

Deno.test("cli: build nist36 at the default size (10,800 / 3,600 / 1,800, 300 / 100 / 50 per class)", async () => {
  await requireUnipen();
  const out = await Deno.makeTempDir({ prefix: "builders_cli_test_" });
  try {
    const lines: string[] = [];
    const code = await main(
      ["build", "nist36", "--out", out, "--data", DATA_DIR, "--seed", "0"],
      { stdout: (l) => lines.push(l), stderr: (l) => lines.push(l) },
    );
    assert.equal(code, 0, lines.join("\n"));
    assert.match(lines[0], /^nist36: built train 10800, valid 3600, test 1800 glyphs in/);
    const data = await loadNist36(out);
    for (const [split, per] of [["train", 300], ["valid", 100], ["test", 50]] as const) {
      assert.deepEqual(countsOf(data[split].labels, 36), new Array(36).fill(per));
    }
    assertWriterDisjoint(await readManifest(`${out}/${NIST36_MANIFEST}`), {
      train: data.train.writers!,
      valid: data.valid.writers!,
      test: data.test.writers!,
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
