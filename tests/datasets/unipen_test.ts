import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import {
  iterateUnipen,
  parseDelineation,
  readUnipen,
  readUnipenDocument,
  renderGlyph,
  segmentStrokes,
} from "../../datasets/unipen/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

const UNIPEN_ROOT = `${DATA_DIR}/unipen-train_r01_v07`;

/** Writes `files` (path relative to a new temp dir → text), runs `body`, removes the dir. */
async function withTree(
  files: Record<string, string>,
  body: (root: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "unipen_test_" });
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path}`.replace(/\/[^/]*$/, ""), { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("parseDelineation: single, range, comma list", () => {
  const all = Infinity;
  assert.deepEqual(parseDelineation("5"), [
    { fromComponent: 5, fromPoint: 0, toComponent: 5, toPoint: all },
  ]);
  assert.deepEqual(parseDelineation("1-2"), [
    { fromComponent: 1, fromPoint: 0, toComponent: 2, toPoint: all },
  ]);
  assert.deepEqual(parseDelineation("4,6-7,9"), [
    { fromComponent: 4, fromPoint: 0, toComponent: 4, toPoint: all },
    { fromComponent: 6, fromPoint: 0, toComponent: 7, toPoint: all },
    { fromComponent: 9, fromPoint: 0, toComponent: 9, toPoint: all },
  ]);
});

Deno.test("parseDelineation: point ranges, mixed bounds", () => {
  assert.deepEqual(parseDelineation("12:0-13:20"), [
    { fromComponent: 12, fromPoint: 0, toComponent: 13, toPoint: 20 },
  ]);
  assert.deepEqual(parseDelineation("3-5:7,8:2-9"), [
    { fromComponent: 3, fromPoint: 0, toComponent: 5, toPoint: 7 },
    { fromComponent: 8, fromPoint: 2, toComponent: 9, toPoint: Infinity },
  ]);
  assert.deepEqual(parseDelineation("7:3"), [
    { fromComponent: 7, fromPoint: 3, toComponent: 7, toPoint: 3 },
  ]);
  assert.deepEqual(parseDelineation("24:5-24:5"), [
    { fromComponent: 24, fromPoint: 5, toComponent: 24, toPoint: 5 },
  ]);
});

Deno.test("parseDelineation: malformed or backwards input is a FormatError naming where", () => {
  for (const bad of ["", "a", "1--2", "1-", "-3", "2:", "1,,2", "1 2"]) {
    assert.throws(() => parseDelineation(bad, "f.dat:9"), (e: Error) => {
      return e instanceof FormatError && e.message.startsWith("f.dat:9:");
    }, bad);
  }
  assert.throws(() => parseDelineation("5-3"), /runs backwards/);
  assert.throws(() => parseDelineation("3:9-3:2"), /runs backwards/);
});

// Component numbers: 0 = first pen-down, (empty PEN_UP: none), 1 = hover
// (pen-up with points), 2 and 3 come from the included data file, 4 from the
// top-level file (whose ".3 4" is a point, not a keyword).
const TREE = {
  "include/c/c.doc": ".VERSION 1.0\n.X_POINTS_PER_INCH 100\n.Y_POINTS_PER_MM 2\n" +
    ".COMMENT 5 5\n  7 7\n",
  "include/c/data/w.dat": ".WRITER_ID Ann\n.PEN_DOWN\n 10 20\n 30 40 999\n.PEN_UP\n" +
    ".PEN_UP\n\t1 1\n.PEN_DOWN\n0 0\n100 -50\n200 -100\n.PEN_UP\n.PEN_DOWN\n5.5 2.5e1\n\n",
  "data/1x/c/w.dat":
    ".VERSION 1.0\n.INCLUDE c/c.doc\n.INCLUDE c/data/w.dat\n.PEN_DOWN\n1 2\n.3 4\n" +
    '.SEGMENT CHARACTER 0-2 ? "A"\n.SEGMENT CHARACTER 2:1-3 OK "\\""\n' +
    '.SEGMENT WORD 0-3 ? "Aa"\n.SEGMENT CHARACTER 4:1 OK "b"\n',
};

Deno.test("readUnipenDocument: includes in place, numbers only non-empty blocks", async () => {
  await withTree(TREE, async (root) => {
    const doc = await readUnipenDocument(`${root}/data/1x/c/w.dat`, {
      includeDir: `${root}/include`,
    });
    assert.deepEqual(doc.penDown, [true, false, true, true, true]);
    assert.deepEqual(doc.componentStart, [0, 2, 3, 6, 7]);
    assert.deepEqual(doc.componentEnd, [2, 3, 6, 7, 9]);
    assert.deepEqual([...doc.points.subarray(0, 6)], [10, 20, 30, 40, 1, 1]);
    assert.deepEqual([...doc.points.subarray(12)], [5.5, 25, 1, 2, 0.3, 4]);
    assert.equal(doc.segments.length, 4);
    const [first, second, word] = doc.segments;
    assert.deepEqual(
      { ...first, where: first.where.endsWith("data/1x/c/w.dat:7") },
      {
        level: "CHARACTER",
        delineation: "0-2",
        quality: "?",
        label: "A",
        writerId: "Ann",
        pointsPerInchX: 100,
        pointsPerInchY: 2 * 25.4,
        where: true,
      },
    );
    assert.equal(second.label, '"');
    assert.equal(word.level, "WORD");
  });
});

Deno.test("segmentStrokes: pen-down only, inclusive point ranges, per-axis scale, y flipped", async () => {
  await withTree(TREE, async (root) => {
    const doc = await readUnipenDocument(`${root}/data/1x/c/w.dat`, {
      includeDir: `${root}/include`,
    });
    const ppmm = 2 * 25.4;
    const [whole, partial, , point] = doc.segments.map((s) => segmentStrokes(doc, s));
    // "0-2": components 0 and 2; the hover block 1 is not drawn.
    assert.equal(whole.length, 2);
    assert.deepEqual([...whole[0]], [0.1, -20 / ppmm, 0.3, -40 / ppmm].map(Math.fround));
    assert.deepEqual([...whole[1]], [0, -0, 1, 50 / ppmm, 2, 100 / ppmm].map(Math.fround));
    // "2:1-3": points 1.. of component 2, then all of component 3.
    assert.deepEqual(partial.map((s) => s.length / 2), [2, 1]);
    assert.deepEqual([...partial[0]], [1, 50 / ppmm, 2, 100 / ppmm].map(Math.fround));
    // "4:1": exactly one point of the top-level file's own block.
    assert.deepEqual([...point[0]], [0.003, -4 / ppmm].map(Math.fround));
  });
});

Deno.test("segmentStrokes: delineations outside the file are FormatErrors naming the line", async () => {
  await withTree(TREE, async (root) => {
    const doc = await readUnipenDocument(`${root}/data/1x/c/w.dat`, {
      includeDir: `${root}/include`,
    });
    const base = doc.segments[0];
    for (const delineation of ["5", "2:3", "3-4:2", "1:1"]) {
      assert.throws(
        () => segmentStrokes(doc, { ...base, delineation }),
        (e: Error) => e instanceof FormatError && /w\.dat:7: delineation/.test(e.message),
        delineation,
      );
    }
    assert.throws(
      () => segmentStrokes(doc, { ...base, pointsPerInchY: undefined }),
      /no \.X\/\.Y_POINTS_PER_INCH/,
    );
  });
});

Deno.test("iterateUnipen: writer, source, category and label filter on a small tree", async () => {
  await withTree(TREE, async (root) => {
    const samples = await readUnipen(root, { categories: ["1x"] });
    assert.deepEqual(samples.map((s) => [s.label, s.quality, s.strokes.length]), [
      ["A", "?", 2],
      ['"', "OK", 2],
      ["b", "OK", 1],
    ]);
    for (const s of samples) {
      assert.equal(s.category, "1x");
      assert.equal(s.writer, "c/Ann");
      assert.equal(s.source, "data/1x/c/w.dat");
    }
    const onlyB = await readUnipen(new URL(`file://${root}/`), {
      categories: ["1x"],
      labels: ["b"],
    });
    assert.deepEqual(onlyB.map((s) => s.label), ["b"]);
    await assert.rejects(readUnipen(root, { categories: ["1z"] }), (e: Error) => {
      return e instanceof FormatError && e.message.includes(`${root}/data/1z`);
    });
    await assert.rejects(readUnipen(root, { categories: ["../x"] }), FormatError);
  });
});

Deno.test("readUnipenDocument: include cycles are FormatErrors naming the chain", async () => {
  const files = {
    "include/a.doc": ".INCLUDE b.doc\n",
    "include/b.doc": ".PEN_DOWN\n1 1\n.INCLUDE a.doc\n",
    "data/1x/c/f.dat": ".INCLUDE a.doc\n",
  };
  await withTree(files, async (root) => {
    const read = readUnipenDocument(`${root}/data/1x/c/f.dat`, { includeDir: `${root}/include` });
    await assert.rejects(read, (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.match(
        e.message,
        /b\.doc:3: include cycle: .*f\.dat -> .*a\.doc -> .*b\.doc -> .*a\.doc$/,
      );
      return true;
    });
  });
  await withTree(
    { "data/1x/c/f.dat": ".INCLUDE f.dat\n", "include/f.dat": ".INCLUDE f.dat\n" },
    async (root) => {
      await assert.rejects(
        readUnipenDocument(`${root}/data/1x/c/f.dat`, { includeDir: `${root}/include` }),
        /include cycle/,
      );
    },
  );
});

Deno.test("readUnipenDocument: missing, unsafe and oversized includes, bad point lines", async () => {
  const files = {
    "include/ok.doc": ".PEN_DOWN\n1 2\n",
    "include/bad.dat": ".PEN_DOWN\n1 2\n3 x\n",
    "data/missing.dat": ".INCLUDE ok.doc\n.INCLUDE nope/gone.doc\n",
    "data/unsafe.dat": ".INCLUDE ../data/missing.dat\n",
    "data/bad.dat": ".INCLUDE bad.dat\n",
  };
  await withTree(files, async (root) => {
    const options = { includeDir: `${root}/include` };
    await assert.rejects(readUnipenDocument(`${root}/data/missing.dat`, options), (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.ok(e.message.startsWith(`${root}/include/nope/gone.doc: cannot read`), e.message);
      assert.ok(e.message.endsWith(`(included from ${root}/data/missing.dat)`), e.message);
      return true;
    });
    await assert.rejects(
      readUnipenDocument(`${root}/data/unsafe.dat`, options),
      /unsafe\.dat:1: \.INCLUDE path "\.\.\/data\/missing\.dat" must be relative/,
    );
    await assert.rejects(
      readUnipenDocument(`${root}/data/bad.dat`, options),
      /include\/bad\.dat:3: expected an "x y" point line, got "3 x"/,
    );
    await assert.rejects(
      readUnipenDocument(`${root}/data/missing.dat`, { ...options, maxExpandedBytes: 40 }),
      /ok\.doc: 14 bytes is more than the 1 allowed/,
    );
  });
});

Deno.test("readUnipenDocument: 22 levels of tiny files each including the next twice stop fast", async () => {
  // Issue 11: every file is under 40 bytes, so only an include count stops the 4 million expansions.
  const files: Record<string, string> = { "data/f.dat": ".INCLUDE f0.doc\n" };
  for (let i = 0; i < 22; i++) {
    files[`include/f${i}.doc`] = `.INCLUDE f${i + 1}.doc\n.INCLUDE ./f${i + 1}.doc\n`;
  }
  files["include/f22.doc"] = ".PEN_DOWN\n1 2\n";
  await withTree(files, async (root) => {
    const started = performance.now();
    await assert.rejects(
      readUnipenDocument(`${root}/data/f.dat`, { includeDir: `${root}/include` }),
      (e: Error) =>
        e instanceof FormatError &&
        /f\d+\.doc:\d: more than 1000 \.INCLUDEs expanded for .*\/data\/f\.dat/.test(e.message),
    );
    assert.ok(performance.now() - started < 1000, `${performance.now() - started} ms`);
  });
});

Deno.test("renderGlyph: a horizontal stroke is a centred bar of the pen's width", () => {
  const size = 32;
  const image = renderGlyph([new Float32Array([-3, 7, 5, 7])], { size, penWidth: 3 });
  const at = (x: number, y: number) => image[y * size + x];
  // The centreline spans x 4..28 and sits on y = 16, between rows 15 and 16.
  for (let x = 4; x < 28; x++) {
    let ink = 0;
    for (let y = 0; y < size; y++) ink += 1 - at(x, y);
    assert.ok(Math.abs(ink - 3) < 1e-5, `column ${x}: ink ${ink}`);
    assert.equal(at(x, 15), 0);
    assert.equal(at(x, 16), 0);
    assert.ok(Math.abs(at(x, 14) - 0.5) < 1e-6 && Math.abs(at(x, 17) - 0.5) < 1e-6);
    assert.equal(at(x, 13), 1);
    assert.equal(at(x, 18), 1);
  }
  // Round caps reach 1.5 px beyond each end; nothing further.
  for (let y = 0; y < size; y++) {
    assert.equal(at(1, y), 1);
    assert.equal(at(30, y), 1);
    assert.equal(at(2, y), at(29, y)); // left-right symmetric
  }
  assert.ok(at(2, 15) < 1 && at(3, 15) < at(2, 15));
});

Deno.test("renderGlyph: values in [0, 1], ink conventions, aspect ratio kept", () => {
  const size = 28;
  // A 2:1 (wide) rectangle outline in y-down coordinates.
  const box = new Float32Array([0, 0, 2, 0, 2, 1, 0, 1, 0, 0]);
  const black = renderGlyph([box], { size, margin: 2, penWidth: 1 });
  const white = renderGlyph([box], { size, margin: 2, penWidth: 1, ink: "white" });
  assert.equal(black.length, size * size);
  for (let i = 0; i < black.length; i++) {
    assert.ok(black[i] >= 0 && black[i] <= 1);
    assert.ok(Math.abs(black[i] + white[i] - 1) < 1e-6);
  }
  // The centreline box is 24 × 12 px at x 2..26, y 8..20; edges on pixel
  // borders ink the pixels on both sides by half.
  const rows = new Set<number>();
  const cols = new Set<number>();
  for (let i = 0; i < white.length; i++) {
    if (white[i] > 0.25) {
      rows.add(Math.floor(i / size));
      cols.add(i % size);
    }
  }
  assert.deepEqual([Math.min(...cols), Math.max(...cols)], [1, 26]);
  assert.deepEqual([Math.min(...rows), Math.max(...rows)], [7, 20]);
});

Deno.test("renderGlyph: dots are discs, empty input is blank, pen width range is seeded", () => {
  const dot = renderGlyph([new Float32Array([3, 4])], { size: 9, penWidth: 4, ink: "white" });
  let ink = 0;
  for (const v of dot) ink += v;
  assert.ok(Math.abs(ink - Math.PI * 4) < 1.2, `disc ink ${ink}`); // area of a radius-2 disc
  assert.equal(dot[4 * 9 + 4], 1);
  assert.equal(dot[0], 0);
  assert.ok(renderGlyph([], { size: 8 }).every((v) => v === 1));
  assert.ok(renderGlyph([new Float32Array(0)], { size: 8 }).every((v) => v === 1));

  const strokes = [new Float32Array([0, 0, 1, 1, 2, 0]), new Float32Array([1, 2])];
  const draw = (seed: number) =>
    renderGlyph(strokes, { size: 32, penWidth: [1, 5], rng: new Rng(seed) });
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  const out = new Float32Array(32 * 32);
  assert.equal(renderGlyph(strokes, { size: 32, out }), out);
  assert.throws(() => renderGlyph(strokes, { size: 32, penWidth: [1, 5] }), /needs an rng/);
  assert.throws(() => renderGlyph(strokes, { size: 8, margin: 4 }), /leaves no room/);
  assert.throws(() => renderGlyph(strokes, { size: 8, out }), /out has 1024 values/);
});

Deno.test("UNIPEN 1a/1b/1c: full parse matches the manifest's counts", async () => {
  try {
    await Deno.stat(`${UNIPEN_ROOT}/data/1a`);
  } catch {
    throw new Error(`UNIPEN data not found at ${UNIPEN_ROOT} (set INKLING_DATA_DIR)`);
  }
  const expected: Record<string, { total: number; writers: number; classes: string }> = {
    "1a": {
      total: 15953,
      writers: 268,
      classes: "0:1646 1:1748 2:1653 3:1591 4:1626 5:1522 6:1518 7:1546 8:1558 9:1545",
    },
    "1b": {
      total: 28069,
      writers: 282,
      classes: "A:1463 B:952 C:1045 D:998 E:1750 F:885 G:889 H:983 I:1496 J:778 K:899 " +
        "L:1129 M:963 N:1110 O:1665 P:1025 Q:834 R:1221 S:1328 T:1311 U:1135 V:808 W:880 " +
        "X:746 Y:919 Z:857",
    },
    "1c": {
      total: 61360,
      writers: 296,
      classes: "a:4039 b:1380 c:1819 d:2229 e:5937 f:1544 g:1732 h:2495 i:3764 j:968 k:1416 " +
        "l:2999 m:1758 n:3769 o:4011 p:1859 q:1148 r:3281 s:3205 t:3729 u:2316 v:1087 " +
        "w:1448 x:890 y:1485 z:1052",
    },
  };
  const classes = new Map<string, Map<string, number>>();
  const writers = new Map<string, Set<string>>();
  const toRender: Float32Array[][] = [];
  const start = performance.now();
  for await (const sample of iterateUnipen(UNIPEN_ROOT, { categories: ["1a", "1b", "1c"] })) {
    const counts = classes.get(sample.category) ?? new Map<string, number>();
    classes.set(sample.category, counts);
    counts.set(sample.label, (counts.get(sample.label) ?? 0) + 1);
    if (!writers.has(sample.category)) writers.set(sample.category, new Set());
    writers.get(sample.category)!.add(sample.writer);
    assert.ok(sample.strokes.length > 0, `${sample.source}: "${sample.label}" has no stroke`);
    if (toRender.length < 10800 && sample.category !== "1c") toRender.push(sample.strokes);
  }
  const parseSeconds = (performance.now() - start) / 1000;
  for (const [category, want] of Object.entries(expected)) {
    const counts = classes.get(category)!;
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, want.total, category);
    assert.equal(writers.get(category)!.size, want.writers, category);
    const got = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}:${v}`);
    assert.equal(got.join(" "), want.classes, category);
  }
  const renderStart = performance.now();
  const out = new Float32Array(32 * 32);
  let ink = 0;
  for (const strokes of toRender) {
    renderGlyph(strokes, { size: 32, out });
    for (const v of out) ink += 1 - v;
  }
  const renderSeconds = (performance.now() - renderStart) / 1000;
  assert.ok(ink / toRender.length > 50 && ink / toRender.length < 400, `mean ink ${ink}`);
  console.log(
    `UNIPEN: parsed 105,382 samples in ${parseSeconds.toFixed(2)} s; ` +
      `rendered ${toRender.length} glyphs at 32x32 in ${renderSeconds.toFixed(2)} s`,
  );
});
