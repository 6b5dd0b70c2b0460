import assert from "node:assert/strict";
import { FormatError, ShapeError } from "../../autograd/errors.ts";
import {
  formatCell,
  htmlReport,
  imageGrid,
  lineChart,
  markdownTable,
  saveFigure,
} from "../../viz/mod.ts";

Deno.test("markdownTable: header, alignment rule, formatted and escaped cells", () => {
  const table = markdownTable(
    [["lr = 0.1", 0.812345, 12], ["a|b", 1e-7, 3]],
    ["setting", "accuracy", "epochs"],
  );
  assert.equal(
    table,
    "| setting | accuracy | epochs |\n" +
      "| :--- | ---: | ---: |\n" +
      "| lr = 0.1 | 0.8123 | 12 |\n" +
      "| a\\|b | 1e-7 | 3 |\n",
  );
  assert.equal(
    markdownTable([[1, 2]], ["a", "b"], { align: ["center"], digits: 2 }).split("\n")[1],
    "| :---: | ---: |",
  );
  assert.equal(formatCell(2 / 3, { digits: 2 }), "0.67");
  assert.throws(() => markdownTable([[1]], ["a", "b"]), ShapeError);
});

Deno.test("htmlReport: self-contained, figures from SVG text, PNG bytes and files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const chart = lineChart({
      xLabel: "epoch",
      yLabel: "loss",
      series: [{ name: "train", x: [1, 2, 3], y: [2, 1, 0.5] }],
    });
    const saved = await saveFigure(`${dir}/loss`, chart, { scale: 1 });
    const grid = await imageGrid([new Float32Array([0, 1, 2, 3])], { width: 2, height: 2 });
    const html = await htmlReport({
      title: "Run <1>",
      sections: [
        { heading: "Loss (file)", text: "First paragraph.\n\nSecond & last.", figure: saved.png },
        { heading: "Loss (svg file)", figure: saved.svg },
        { heading: "Loss (inline)", figure: chart },
        {
          heading: "Weights",
          figure: grid,
          table: { header: ["unit", "norm"], rows: [["h1", 0.123456]] },
        },
      ],
    });
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.ok(html.includes("<title>Run &#60;1&#62;</title>"));
    assert.ok(html.includes("<p>Second &#38; last.</p>"));
    assert.equal(html.match(/<img [^>]*src="data:image\/png;base64,/g)?.length, 2);
    assert.equal(html.match(/<img [^>]*src="data:image\/svg\+xml;base64,/g)?.length, 2);
    assert.ok(html.includes('<td class="right">0.1235</td>'));
    // Nothing points outside the file: no URLs, every src/href is a data URI.
    const outsideData = html.replace(/data:[\w/+]+;base64,[A-Za-z0-9+/=]+/g, "DATA");
    assert.doesNotMatch(outsideData, /https?:|file:|\/\/|url\(|@import/);
    for (const [, value] of html.matchAll(/(?:src|href)="([^"]*)"/g)) {
      assert.ok(value.startsWith("data:"), value.slice(0, 40));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("htmlReport: unusable figures are named", async () => {
  await assert.rejects(
    () => htmlReport({ title: "t", sections: [{ heading: "h", figure: "notes.txt" }] }),
    (e: Error) => e instanceof FormatError && /notes\.txt.*\.png or \.svg/.test(e.message),
  );
  await assert.rejects(
    () => htmlReport({ title: "t", sections: [{ heading: "h", figure: "/nonexistent/a.png" }] }),
    /\/nonexistent\/a\.png/,
  );
  await assert.rejects(
    () => htmlReport({ title: "t", sections: [{ heading: "odd", figure: new Uint8Array(9) }] }),
    /section 1 \("odd"\): figure is neither PNG nor SVG/,
  );
});
