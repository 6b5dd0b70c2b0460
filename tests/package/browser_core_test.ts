/**
 * The browser-safe core: with the `Deno` global removed before any module
 * of Inkling is imported, as in a browser page (only its npm dependencies
 * are loaded before, which Deno's Node layer needs `Deno` for), the engine, the layers and
 * `fit` (with its default progress) train a small network, and the OCR read
 * path reads a photo given as a Blob with a model given as a Blob. The
 * script runs in its own process so the deletion cannot leak into other tests;
 * the Chromium test (tests/web) covers the bundled page itself.
 */

import assert from "node:assert/strict";
import { readText } from "../../ocr/mod.ts";
import { DATA_DIR } from "../shared_data.ts";

const ROOT = new URL("../../", import.meta.url);
const PHOTO = `${DATA_DIR}/images/02_letters.jpg`;
const MODEL = new URL("ocr/default_model.safetensors", ROOT);

/** The script: reads its inputs, removes `Deno`, then imports and uses the library. */
const SCRIPT = `
const photo = await Deno.readFile(${JSON.stringify(PHOTO)});
const model = await Deno.readFile(new URL(${JSON.stringify(MODEL.href)}));
// Deno's Node compatibility layer needs \`Deno\` while it loads npm code, so
// the npm packages of the read path are loaded first; Inkling's own modules
// are loaded without it.
await Promise.all([import("image-js"), import("jpeg-js")]);
delete globalThis.Deno;
const core = await import(${JSON.stringify(new URL("mod.ts", ROOT).href)});
const ocr = await import(${JSON.stringify(new URL("ocr/mod.ts", ROOT).href)});
const rng = new core.Rng(1);
const x = new Float32Array(64 * 2).map(() => rng.uniform() * 2 - 1);
const y = Int32Array.from({ length: 64 }, (_, i) => (x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0));
const net = new core.Sequential(new core.Linear(2, 16, { rng }), new core.ReLU(), new core.Linear(16, 2, { rng }));
const history = await core.fit(net, {
  train: { x: new core.Tensor(x, [64, 2]), y },
  epochs: 30,
  batchSize: 16,
  optimizer: new core.Adam(net.parameters(), { lr: 0.05 }),
  rng,
});
const result = await ocr.readText(new Blob([photo]), { model: new Blob([model]) });
console.log(JSON.stringify({ deno: typeof globalThis.Deno, loss: history.train_loss, text: result.text }));
`;

Deno.test("browser-safe core: fit and readText run with no Deno global", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/no_deno.ts`, SCRIPT);
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--allow-read",
        "--config",
        new URL("deno.json", ROOT).pathname,
        `${dir}/no_deno.ts`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.equal(stderr, "", "nothing on stderr: progress is off without a terminal to draw on");
    const report = JSON.parse(new TextDecoder().decode(run.stdout));
    assert.equal(report.deno, "undefined");
    assert.equal(report.loss.length, 30);
    assert.ok(
      report.loss[29] < report.loss[0] / 2,
      `loss fell: ${report.loss[0]} → ${report.loss[29]}`,
    );
    assert.equal(report.text, (await readText(PHOTO)).text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
