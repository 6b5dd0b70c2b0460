/**
 * deno task compress: a short run on a small UNIPEN-built NIST36 set writes
 * the report files and report.json; bad flags and data fail with one line.
 */

import assert from "node:assert/strict";
import { buildNist36 } from "../../datasets/builders/mod.ts";
import { main } from "../../compression/cli.ts";
import { DATA_DIR } from "../shared_data.ts";

const unipenDir = `${DATA_DIR}/unipen-train_r01_v07`;

/** Runs main with console.error captured. */
async function run(args: string[]): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    return { code: await main(args), errors };
  } finally {
    console.error = original;
  }
}

Deno.test("compress --out writes figures, reports and report.json with both methods' numbers", async () => {
  await Deno.stat(unipenDir).catch(() => {
    throw new Error(`shared data missing: ${unipenDir} (set INKLING_DATA_DIR)`);
  });
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/nist36`;
    await buildNist36({
      unipenDir,
      outDir: data,
      seed: 0,
      perClass: { train: 12, valid: 4, test: 2 },
    });
    const out = `${dir}/out`;
    const { code, errors } = await run(["--data", data, "--out", out, "--epochs", "3"]);
    assert.equal(code, 0, errors.join("\n"));
    assert.equal(
      errors.filter((e) => e.startsWith("epoch ")).length,
      3,
      "one progress line per epoch",
    );
    for (const name of ["loss", "reconstructions", "components", "spectrum"]) {
      for (const ext of ["svg", "png"]) {
        assert.ok((await Deno.stat(`${out}/${name}.${ext}`)).size > 0);
      }
    }
    const markdown = await Deno.readTextFile(`${out}/report.md`);
    assert.match(markdown, /\| autoencoder \| 68704 \|/);
    assert.match(
      await Deno.readTextFile(`${out}/report.html`),
      /<img alt="Reconstructions" src="data:image\/png;base64,/,
    );
    const json = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
    for (const key of ["ae_psnr_valid", "ae_psnr_test", "pca_psnr_valid", "pca_psnr_test"]) {
      assert.ok(json[key] > 5 && json[key] < 40, `${key} = ${json[key]}`);
    }
    assert.equal(json.pca_centered, true);
    assert.equal(json.ae_params, 68704);
    assert.equal(json.pca_params, 1024 * 32 + 1024);
    assert.deepEqual(json.pca_projection_shape, [1024, 1024]);
    assert.equal(json.pca_projection_rank, 32);
    assert.ok(json.pca_orthonormality_error < 1e-5);
    const relative = Math.abs(json.pca_train_residual - json.pca_discarded_energy) /
      json.pca_discarded_energy;
    assert.ok(relative < 1e-3, `residual vs discarded: ${relative}`);
    assert.equal(json.ae_train_loss.length, 3);
    const uncentred = await run([
      "--data",
      data,
      "--out",
      `${dir}/u`,
      "--epochs",
      "1",
      "--uncentered",
      "--quiet",
    ]);
    assert.equal(uncentred.code, 0, uncentred.errors.join("\n"));
    const other = JSON.parse(await Deno.readTextFile(`${dir}/u/report.json`));
    assert.equal(other.pca_centered, false);
    assert.equal(other.pca_params, 1024 * 32);
    assert.equal(other.pca_psnr_valid, json.pca_other_psnr_valid);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad flags and data: one clear line and a non-zero exit", async () => {
  // Exit code 2 for bad usage (an unknown flag, a value out of range), 1 for bad data.
  const cases: [string[], RegExp, number][] = [
    [["--epochs", "many"], /^error: --epochs needs an integer from 1 to 1000, got "many"/, 2],
    [["--epochs", "0"], /^error: --epochs needs an integer from 1 to 1000, got "0"/, 2],
    [["--hidden", "1e9"], /^error: --hidden needs an integer from 1 to 2048, got "1e9"/, 2],
    [["--lr=-1"], /^error: --lr needs a number above 0 and at most 1000000, got "-1"/, 2],
    [["--lr", "NaN"], /^error: --lr needs a number above 0/, 2],
    [["--classes", "A?"], /^error: --classes needs characters from ABC/, 2],
    [["--bogus"], /^error: .*bogus/, 2],
    [["extra"], /^error: unexpected argument "extra"/, 2],
    [
      ["--data", "/nonexistent/nist36"],
      /^error: \/nonexistent\/nist36\/nist36_train\.mat: file not found/,
      1,
    ],
  ];
  for (const [args, pattern, expected] of cases) {
    const { code, errors } = await run(args);
    assert.equal(code, expected, args.join(" "));
    assert.match(errors[0], pattern);
    assert.equal(errors.length, 1, `one line for ${args.join(" ")}: ${errors.join(" | ")}`);
  }
});
