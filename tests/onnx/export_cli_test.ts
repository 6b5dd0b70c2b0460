/** `deno task export`: writes the committed OCR model as ONNX; bad flags exit 2, bad files 1. */

import assert from "node:assert/strict";
import { readOnnx } from "../../onnx/codec.ts";
import { main } from "../../onnx/export_cli.ts";

const OCR_MODEL = new URL("../../ocr/default_model.safetensors", import.meta.url).pathname;

function capture() {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  return {
    lines,
    output: {
      stdout: (l: string) => lines.stdout.push(l),
      stderr: (l: string) => lines.stderr.push(l),
    },
  };
}

Deno.test("export CLI: the committed OCR model becomes an opset-13 ONNX file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { lines, output } = capture();
    const out = `${dir}/sub/ocr.onnx`;
    assert.equal(await main(["--model", OCR_MODEL, "--out", out], output), 0, lines.stderr.join());
    assert.match(
      lines.stdout[0],
      /^wrote .*ocr\.onnx \(\d+ bytes, opset 13\): input \[batch, 1024\] → logits \[batch, 36\]$/,
    );
    const onnx = await readOnnx(out);
    assert.equal(onnx.opset_import![0].version, 13);
    assert.deepEqual(onnx.graph!.output!.map((o) => o.name), ["logits"]);
    assert.match(onnx.graph!.doc_string!, /ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/);
    assert.deepEqual(
      [...new Set(onnx.graph!.node!.map((n) => n.op_type))],
      ["Reshape", "Conv", "Relu", "MaxPool", "Flatten", "Gemm"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("export CLI: bad usage exits 2, a file that is no checkpoint exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad: string[][] = [
      [],
      ["--model", OCR_MODEL],
      ["--model", OCR_MODEL, "--out", `${dir}/x.txt`],
      ["--model", OCR_MODEL, "--out", `${dir}/x.onnx`, "--opset", "7"],
      ["--model", OCR_MODEL, "--out", `${dir}/x.onnx`, "extra"],
    ];
    for (const args of bad) {
      const { lines, output } = capture();
      assert.equal(await main(args, output), 2, args.join(" "));
      assert.equal(lines.stderr.length, 1);
    }
    await Deno.writeTextFile(`${dir}/notes.safetensors`, "hello");
    const { lines, output } = capture();
    assert.equal(
      await main(["--model", `${dir}/notes.safetensors`, "--out", `${dir}/x.onnx`], output),
      1,
    );
    assert.match(lines.stderr[0], /^error: .*notes\.safetensors: /);
    assert.equal((await Array.fromAsync(Deno.readDir(dir))).length, 1); // nothing written
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
