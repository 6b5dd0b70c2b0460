import * as Plot from "@observablehq/plot";
import assert from "node:assert/strict";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { readImageHeader } from "../../formats/image_header.ts";
import {
  fontFamilyName,
  locateFont,
  renderPlot,
  saveFigure,
  stackSvg,
  svgSize,
  svgToPng,
  textSvg,
} from "../../viz/mod.ts";
import { colourCount, darkPixels, decodeChecked } from "./png_helpers.ts";

Deno.test("renderPlot: standalone SVG with namespace and real text", () => {
  const svg = renderPlot({
    width: 300,
    height: 200,
    x: { label: "epoch & step" },
    y: { label: "loss <nats>" },
    marks: [Plot.lineY([3, 2, 1.5, 1.2], { x: (_, i) => i, y: (d) => d })],
  });
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.deepEqual(svgSize(svg), { width: 300, height: 200 });
  assert.match(svg, /<text[^>]*>epoch &amp; step →/);
  assert.match(svg, /<text[^>]*>↑ loss &lt;nats&gt;/);
});

Deno.test("renderPlot: a spec that makes Plot return a <figure> is refused clearly", () => {
  assert.throws(
    () => renderPlot({ title: "t", marks: [Plot.dot([1, 2], { x: (d) => d })] }),
    (e: Error) => e instanceof InklingError && /figure.*title/.test(e.message),
  );
});

Deno.test("fonts: the family name comes from the font file; a missing font names the fix", async () => {
  const path = await locateFont();
  const bytes = await Deno.readFile(path);
  const family = fontFamilyName(bytes, path);
  assert.ok(family.length > 0);
  if (path.includes("DejaVuSans.ttf")) assert.equal(family, "DejaVu Sans");
  await assert.rejects(
    () => locateFont({ override: "", candidates: ["/nonexistent/font.ttf"] }),
    (e: Error) => e instanceof InklingError && /fonts-dejavu-core/.test(e.message),
  );
  await assert.rejects(
    () => locateFont({ override: "/nonexistent/x.ttf" }),
    (e: Error) => /INKLING_FONT=\/nonexistent\/x\.ttf/.test(e.message),
  );
  assert.throws(() => fontFamilyName(new Uint8Array(8), "junk.ttf"), FormatError);
  assert.throws(() => fontFamilyName(bytes.slice(0, 200), "cut.ttf"), /cut\.ttf/);
});

Deno.test("svgToPng: size follows the scale, pixels are drawn, text uses the font", async () => {
  const text = stackSvg([textSvg("Accuracy 0-9 AZ", { fontSize: 16 })], { padding: 4 });
  const { width, height } = svgSize(text);
  const png = await svgToPng(text); // default scale 2
  const image = decodeChecked(png, Math.ceil(width * 2), Math.ceil(height * 2));
  assert.ok(colourCount(image) > 2, "anti-aliased glyphs give several grey levels");
  // The same document without its text is blank, so the dark pixels are glyphs.
  const blank = stackSvg([textSvg("", { fontSize: 16 })], { padding: 4 });
  const blankImage = decodeChecked(await svgToPng(blank, { scale: 1 }), ...sizeOf(blank));
  assert.equal(darkPixels(blankImage), 0);
  assert.ok(darkPixels(image) > 100, `only ${darkPixels(image)} dark pixels`);
});

function sizeOf(svg: string): [number, number] {
  const { width, height } = svgSize(svg);
  return [Math.ceil(width), Math.ceil(height)];
}

Deno.test("svgToPng: bad input gives InklingError, not a wasm trace", async () => {
  await assert.rejects(() => svgToPng("<svg"), InklingError);
  await assert.rejects(() => svgToPng("<svg/>", { scale: 0 }), InklingError);
  await assert.rejects(
    () => svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="10"/>'),
    /larger than/,
  );
});

Deno.test("saveFigure: writes .svg and .png, no temporary files left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const svg = stackSvg([textSvg("saved")]);
    const saved = await saveFigure(`${dir}/figure.png`, svg, { scale: 1 });
    assert.deepEqual(saved, { svg: `${dir}/figure.svg`, png: `${dir}/figure.png` });
    assert.equal(await Deno.readTextFile(saved.svg), svg);
    assert.deepEqual(readImageHeader(await Deno.readFile(saved.png)), {
      format: "png",
      ...sizeToObject(sizeOf(svg)),
      channels: 4, // RGBA
      bitDepth: 8,
    });
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.sort(), ["figure.png", "figure.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function sizeToObject([width, height]: [number, number]) {
  return { width, height };
}

Deno.test("renderPlot: errors from Plot itself come back as InklingError", () => {
  assert.throws(
    () =>
      renderPlot({
        x: { type: "no-such-type" as "linear" },
        marks: [Plot.dot([1], { x: (d) => d })],
      }),
    (e: Error) => e instanceof InklingError && /Plot rejected the spec/.test(e.message),
  );
});
