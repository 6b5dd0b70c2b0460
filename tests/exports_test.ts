/**
 * What moved in 0.2 is still exported where 0.1 exported it, as the very same
 * binding (CHANGELOG.md lists the moves); only `readPngHeader` is gone.
 */

import assert from "node:assert/strict";
import * as root from "../mod.ts";
import * as formats from "../formats/mod.ts";
import * as datasets from "../datasets/mod.ts";
import * as viz from "../viz/mod.ts";
import * as models from "../models/mod.ts";
import * as ocr from "../ocr/mod.ts";

Deno.test("exports: moved names keep their 0.1 entry points", () => {
  const same = (old: Record<string, unknown>, names: string[], now: Record<string, unknown>) => {
    for (const name of names) {
      assert.ok(old[name] !== undefined, `${name} is still exported`);
      assert.equal(old[name], now[name], name);
    }
  };
  same(
    root,
    ["encodeSafetensors", "decodeSafetensors", "saveSafetensors", "loadSafetensors"],
    formats,
  );
  same(datasets, [
    "readMat",
    "writeMat",
    "readIdx",
    "writeIdx",
    "writeFileAtomic",
    "readFileLimited",
    "crc32",
    "readTar",
    "readZip",
    "extractArchive",
    "readImageHeader",
  ], formats);
  same(viz, ["encodePng", "PNG_SIGNATURE"], formats);
  same(ocr, ["readImageHeader"], formats);
  same(ocr, ["classNames", "GlyphImages", "glyphSize", "parseArchitecture"], models);
  assert.equal(ocr.createOcrNetwork, models.createClassifier);
  assert.equal(ocr.jitterGlyphs, datasets.jitterGlyphs);
});
