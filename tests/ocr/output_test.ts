import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { main } from "../../ocr/cli.ts";
import {
  hocrDocument,
  loadOcrModel,
  readImage,
  type ReadPage,
  type ReadResult,
  readText,
  TSV_HEADER,
  tsvRows,
  wordConfidence,
} from "../../ocr/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

const IMAGES = `${DATA_DIR}/images`;

/** Path of a sample photo, failing loudly when the data is missing. */
function photo(name: string): string {
  const path = `${IMAGES}/${name}.jpg`;
  if (!existsSync(path)) {
    throw new Error(`missing ${path}: set INKLING_DATA_DIR to the shared data directory`);
  }
  return path;
}

let pages: Promise<ReadPage[]> | undefined;

/** 02_letters (one word per line) and 03_haiku (several words per line), read once. */
function samplePages(): Promise<ReadPage[]> {
  pages ??= (async () => {
    const model = await loadOcrModel();
    const out: ReadPage[] = [];
    for (const name of ["02_letters", "03_haiku"]) {
      const image = await readImage(photo(name));
      const result = await readText(image, { model, name });
      out.push({ path: `${name}.jpg`, width: image.width, height: image.height, result });
    }
    return out;
  })();
  return pages;
}

/** An element of the strict parser's tree. */
interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * A strict XML 1.0 well-formedness check that builds a tree: one root, every
 * tag closed in order, attributes quoted and not repeated, no bare `<` or
 * `&`, only the predefined and numeric entities. (linkedom's DOMParser
 * repairs malformed XML silently, so it cannot judge it.)
 */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`malformed XML at ${i} (${why}): ${JSON.stringify(xml.slice(i, i + 30))}`);
  };
  const eat = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(xml);
    if (m) i = re.lastIndex;
    return m;
  };
  const decode = (raw: string) => {
    if (/</.test(raw) || /&/.test(raw.replace(ENTITY, ""))) fail("bare < or &");
    return raw.replace(
      ENTITY,
      (_, e: string) =>
        e[0] === "#"
          ? String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
          : NAMED[e],
    );
  };
  const misc = () => {
    while (eat(/\s+/y) || eat(/<!--(?:(?!--)[\s\S])*-->/y));
  };
  const element = (): XmlElement => {
    const open = eat(/<([A-Za-z_:][-\w:.]*)/y) ?? fail("expected an element");
    const node: XmlElement = { name: open[1], attrs: {}, children: [], text: "" };
    for (;;) {
      const attr = eat(/\s+([A-Za-z_:][-\w:.]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/y);
      if (!attr) break;
      if (attr[1] in node.attrs) fail(`repeated attribute ${attr[1]}`);
      node.attrs[attr[1]] = decode(attr[2] ?? attr[3]);
    }
    eat(/\s*/y);
    if (eat(/\/>/y)) return node;
    if (!eat(/>/y)) fail("unfinished start tag");
    for (;;) {
      const text = eat(/[^<]+/y);
      if (text) node.text += decode(text[0]);
      if (eat(/<!--(?:(?!--)[\s\S])*-->/y)) continue;
      const close = eat(/<\/([A-Za-z_:][-\w:.]*)\s*>/y);
      if (close) {
        return close[1] === node.name ? node : fail(`</${close[1]}> closes <${node.name}>`);
      }
      if (i >= xml.length) fail(`<${node.name}> never closed`);
      node.children.push(element());
    }
  };
  eat(/<\?xml[^?]*\?>/y);
  misc();
  eat(/<!DOCTYPE[^>[]*>/y);
  misc();
  const root = element();
  misc();
  if (i !== xml.length) fail("content after the root element");
  return root;
}

/** Every element of `root` (itself included) whose class is `cls`, in document order. */
function byClass(root: XmlElement, cls: string): XmlElement[] {
  const own = root.attrs.class === cls ? [root] : [];
  return [...own, ...root.children.flatMap((child) => byClass(child, cls))];
}

/** The four numbers after `bbox` in a title. */
function bboxOf(title: string): number[] {
  const m = /(?:^|; )bbox (\d+) (\d+) (\d+) (\d+)(?:;|$)/.exec(title);
  assert.ok(m, title);
  return m.slice(1).map(Number);
}

Deno.test("the strict XML check rejects malformed documents", () => {
  assert.equal(
    parseXml("<?xml version='1.0'?><a x='1'><b>t &amp; u</b><c/></a>").children.length,
    2,
  );
  for (
    const bad of [
      "<a><b>x</a>",
      "<a x='1' x='2'/>",
      "<a>&bogus;</a>",
      "<a>1 < 2</a>",
      "<a>fish & chips</a>",
      "<a/><b/>",
      "<a title='it's'/>",
      "<a>",
    ]
  ) {
    assert.throws(() => parseXml(bad), /malformed XML/, bad);
  }
});

Deno.test("TSV: Tesseract's header and 12 columns, levels 1-5, word rows are the text", async () => {
  const [letters, haiku] = await samplePages();
  assert.equal(
    TSV_HEADER,
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
  );
  for (const [index, page] of [letters, haiku].entries()) {
    const rows = tsvRows(page, { pageNumber: index + 1 }).map((r) => r.split("\t"));
    for (const row of rows) assert.equal(row.length, 12, row.join("|"));
    const levels = rows.map((r) => Number(r[0]));
    assert.deepEqual(levels.slice(0, 3), [1, 2, 3]);
    assert.deepEqual(rows[0], [
      "1",
      String(index + 1),
      "0",
      "0",
      "0",
      "0",
      "0",
      "0",
      String(page.width),
      String(page.height),
      "-1",
      "",
    ]);
    // Lines of words, each line row followed by its word rows.
    assert.match(levels.slice(3).join(""), /^(45+)+$/);
    const lines: string[][] = [];
    let lineBox: number[] = [];
    for (const row of rows) {
      const [level, pageNum, block, par, line, word, left, top, width, height, conf, text] = row;
      assert.equal(Number(pageNum), index + 1);
      const box = [left, top, width, height].map(Number);
      assert.ok(box.every(Number.isInteger) && box[2] > 0 && box[3] > 0, row.join("|"));
      assert.ok(box[0] + box[2] <= page.width && box[1] + box[3] <= page.height);
      if (level !== "5") {
        assert.equal(conf, "-1");
        assert.equal(text, "");
      }
      if (level === "4") {
        assert.deepEqual([block, par, Number(line), word], ["1", "1", lines.length + 1, "0"]);
        lines.push([]);
        lineBox = box;
      }
      if (level === "5") {
        const words = lines[lines.length - 1];
        assert.deepEqual([Number(line), Number(word)], [lines.length, words.length + 1]);
        words.push(text);
        // A word lies inside its line.
        assert.ok(box[0] >= lineBox[0] && box[1] >= lineBox[1]);
        assert.ok(box[0] + box[2] <= lineBox[0] + lineBox[2]);
        assert.ok(box[1] + box[3] <= lineBox[1] + lineBox[3]);
        const c = Number(conf);
        assert.ok(c >= 0 && c <= 100, conf);
        const source = page.result.lines[Number(line) - 1].words[Number(word) - 1];
        // The lowest top-1 probability of the word's characters, × 100, two decimals.
        const lowest = Math.min(...source.chars.map((ch) => ch.top3[0].p)) * 100;
        assert.ok(Math.abs(c - lowest) <= 0.005 + 1e-9, `${c} vs ${lowest}`);
      }
    }
    assert.equal(lines.map((words) => words.join(" ")).join("\n"), page.result.text);
  }
  assert.ok(haiku.result.lines.some((line) => line.words.length > 1), "a line of several words");
});

Deno.test("TSV and hOCR of a blank page: only the page", () => {
  const blank: ReadPage = { path: "blank.png", width: 40, height: 30, result: blankResult() };
  assert.deepEqual(tsvRows(blank, { pageNumber: 3 }), ["1\t3\t0\t0\t0\t0\t0\t0\t40\t30\t-1\t"]);
  const root = parseXml(hocrDocument([blank]));
  const [page] = byClass(root, "ocr_page");
  assert.equal(page.attrs.title, 'image "blank.png"; bbox 0 0 40 30; ppageno 0');
  assert.deepEqual(page.children, []);
});

/** What readText returns for a blank page. */
function blankResult(): ReadResult {
  return { text: "", lines: [] };
}

Deno.test("hOCR: well-formed XHTML in Tesseract's shape with line and word boxes and x_wconf", async () => {
  const samples = await samplePages();
  const root = parseXml(hocrDocument(samples));
  assert.equal(root.name, "html");
  assert.equal(root.attrs.xmlns, "http://www.w3.org/1999/xhtml");
  const head = root.children.find((c) => c.name === "head")!;
  const meta = Object.fromEntries(
    head.children.filter((c) => c.name === "meta" && c.attrs.name)
      .map((c) => [c.attrs.name, c.attrs.content]),
  );
  assert.match(meta["ocr-system"], /^inkling/);
  for (const cls of ["ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word", "ocrp_wconf"]) {
    assert.ok(meta["ocr-capabilities"].split(" ").includes(cls), cls);
  }
  const pageDivs = byClass(root, "ocr_page");
  assert.equal(pageDivs.length, samples.length);
  for (const [n, div] of pageDivs.entries()) {
    const sample = samples[n];
    assert.equal(div.name, "div");
    assert.equal(
      div.attrs.title,
      `image "${sample.path}"; bbox 0 0 ${sample.width} ${sample.height}; ppageno ${n}`,
    );
    assert.equal(byClass(div, "ocr_carea").length, 1);
    assert.equal(byClass(div, "ocr_par").length, 1);
    const lines = byClass(div, "ocr_line");
    const text = lines.map((line) => {
      assert.equal(line.name, "span");
      assert.match(line.attrs.title, /^bbox \d+ \d+ \d+ \d+$/);
      const [lx0, ly0, lx1, ly1] = bboxOf(line.attrs.title);
      assert.ok(lx0 < lx1 && ly0 < ly1 && lx1 <= sample.width && ly1 <= sample.height);
      const words = byClass(line, "ocrx_word");
      for (const word of words) {
        const m = /^bbox (\d+) (\d+) (\d+) (\d+); x_wconf (\d+)$/.exec(word.attrs.title);
        assert.ok(m, word.attrs.title);
        const [x0, y0, x1, y1, conf] = m.slice(1).map(Number);
        assert.ok(x0 < x1 && y0 < y1 && x0 >= lx0 && y0 >= ly0 && x1 <= lx1 && y1 <= ly1);
        assert.ok(conf >= 0 && conf <= 100);
      }
      return words.map((word) => word.text).join(" ");
    });
    assert.equal(text.join("\n"), sample.result.text);
    const confs = byClass(div, "ocrx_word").map((w) =>
      Number(/x_wconf (\d+)/.exec(w.attrs.title)![1])
    );
    const expected = sample.result.lines.flatMap((l) =>
      l.words.map((w) => Math.round(wordConfidence(w)))
    );
    assert.deepEqual(confs, expected);
  }
});

Deno.test("hOCR escapes names and text: the parsed document gives them back", () => {
  const path = `a&b <c> 'd' "e" \\f\u0001.png`;
  const word = {
    text: "<&>'\"",
    chars: [{ char: "<", box: [1, 2, 5, 6], top3: [{ char: "<", p: 0.5 }] }],
  };
  const result = { text: word.text, lines: [{ words: [word] }] } as unknown as ReadResult;
  const root = parseXml(hocrDocument([{ path, width: 10, height: 10, result }]));
  const [page] = byClass(root, "ocr_page");
  // Quotes and backslashes escaped for hOCR's quoted string; the control character replaced.
  assert.equal(
    page.attrs.title,
    `image "a&b <c> 'd' \\"e\\" \\\\f\uFFFD.png"; bbox 0 0 10 10; ppageno 0`,
  );
  const [w] = byClass(root, "ocrx_word");
  assert.equal(w.text, "<&>'\"");
  assert.equal(w.attrs.title, "bbox 2 1 6 5; x_wconf 50");
});

Deno.test("CLI --format hocr: one document with a page per image, failures left out", async () => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = { stdout: (l: string) => stdout.push(l), stderr: (l: string) => stderr.push(l) };
  const args = ["images/02_letters.jpg", "images/missing.jpg", "images/03_haiku.jpg"];
  const code = await main([...args, "--format", "hocr"], output, { cwd: DATA_DIR });
  assert.equal(code, 1);
  assert.deepEqual(stderr, ["error: images/missing.jpg: cannot read an image (not found)"]);
  const root = parseXml(stdout.join("\n"));
  const titles = byClass(root, "ocr_page").map((p) => p.attrs.title.replace(/; bbox.*/, ""));
  // Pages keep their place among the inputs: the failed second one is missing.
  assert.deepEqual(titles, ['image "images/02_letters.jpg"', 'image "images/03_haiku.jpg"']);
  assert.deepEqual(
    byClass(root, "ocr_page").map((p) => p.attrs.id),
    ["page_1", "page_3"],
  );
  const samples = await samplePages();
  assert.deepEqual(
    byClass(root, "ocr_page").map((p) => byClass(p, "ocrx_word").map((w) => w.text).join(" ")),
    samples.map((s) => s.result.text.replace(/\n/g, " ")),
  );
});
