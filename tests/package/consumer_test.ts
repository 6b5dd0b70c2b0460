/**
 * Inkling as another project sees it: every export of `deno.json` imported
 * over HTTP from a package host that serves it as JSR would, and a sample
 * photo read with `readText(path)` and no model, by a separate Deno process
 * granted only imports and network for that host and read access to the
 * photo (and the system fonts, for a figure rasterised by resvg's wasm).
 * The text must match what the checkout reads.
 */

import assert from "node:assert/strict";
import { PNG_SIGNATURE } from "../../formats/mod.ts";
import { readText } from "../../ocr/mod.ts";
import { DATA_DIR } from "../shared_data.ts";
import { hostPackage } from "./jsr_host.ts";

const ROOT = new URL("../../", import.meta.url);
const PHOTO = `${DATA_DIR}/images/02_letters.jpg`;
const FONTS = "/usr/share/fonts";
/** A figure with text, so resvg's wasm and the font are both loaded. */
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="15">Ink</text></svg>';

/**
 * The consumer: imports every export, counts their names, reads the photo
 * given as its argument and rasterises a figure.
 */
function consumerSource(base: URL, exports: Record<string, string>): string {
  const entries = Object.keys(exports).map((key, i) => {
    const file = exports[key].replace(/^\.\//, "");
    return { key, line: `import * as m${i} from "${new URL(file, base).href}";`, name: `m${i}` };
  });
  return [
    ...entries.map((e) => e.line),
    `const counts = { ${
      entries.map((e) => `${JSON.stringify(e.key)}: Object.keys(${e.name}).length`).join(", ")
    } };`,
    `const ocr = m${Object.keys(exports).indexOf("./ocr")};`,
    `const viz = m${Object.keys(exports).indexOf("./viz")};`,
    "const result = await ocr.readText(Deno.args[0]);",
    `const png = await viz.svgToPng(${JSON.stringify(SVG)});`,
    "console.log(JSON.stringify({ counts, text: result.text, png: Array.from(png.subarray(0, 8)) }));",
  ].join("\n");
}

Deno.test("package: a consumer imports every export over HTTP and reads a photo with the default model", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const host = await hostPackage(ROOT);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/consumer.ts`, consumerSource(host.base, config.exports));
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        `--allow-import=${host.host}`,
        `--allow-net=${host.host}`,
        `--allow-read=${PHOTO},${FONTS}`,
        "consumer.ts",
        PHOTO,
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    const report = JSON.parse(new TextDecoder().decode(run.stdout));
    for (const key of Object.keys(config.exports)) {
      assert.ok(report.counts[key] > 0, `${key} exports names`);
    }
    assert.equal(report.text, (await readText(PHOTO)).text);
    assert.deepEqual(report.png, [...PNG_SIGNATURE]);
  } finally {
    await host.close();
    await Deno.remove(dir, { recursive: true });
  }
});
