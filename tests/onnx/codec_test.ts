/**
 * The ONNX codec: SqueezeNet decodes and re-encodes byte for byte; broken
 * files give a FormatError naming the file.
 */

import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { decodeOnnx, encodeOnnx, readOnnx, writeOnnx } from "../../onnx/codec.ts";
import { SQUEEZENET_PATH } from "./squeezenet_fixture.ts";

Deno.test("codec: SqueezeNet decodes, and encodes back to the same bytes", async () => {
  const bytes = await Deno.readFile(SQUEEZENET_PATH);
  const onnx = decodeOnnx(bytes, { source: SQUEEZENET_PATH });
  assert.equal(onnx.producer_name, "onnx-caffe2");
  assert.deepEqual(onnx.opset_import, [{ domain: "", version: 7 }]);
  const graph = onnx.graph!;
  assert.equal(graph.node!.length, 66);
  assert.equal(graph.initializer!.length, 52);
  assert.equal(graph.output![0].name, "softmaxout_1");
  const ops = new Set(graph.node!.map((n) => n.op_type));
  assert.deepEqual([...ops].sort(), [
    "Concat",
    "Conv",
    "Dropout",
    "GlobalAveragePool",
    "MaxPool",
    "Relu",
    "Softmax",
  ]);
  assert.deepEqual(encodeOnnx(onnx), bytes);
});

Deno.test("codec: writeOnnx and readOnnx round-trip through a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const onnx = decodeOnnx(await Deno.readFile(SQUEEZENET_PATH));
    await writeOnnx(`${dir}/copy.onnx`, onnx);
    const again = await readOnnx(`${dir}/copy.onnx`);
    assert.equal(again.graph!.node!.length, 66);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("codec: truncated, foreign and missing files give a FormatError naming them", async () => {
  const bytes = await Deno.readFile(SQUEEZENET_PATH);
  const cases: [Uint8Array, RegExp][] = [
    [bytes.subarray(0, 1000), /^cut\.onnx: not a readable ONNX model \(protobuf: /],
    [new TextEncoder().encode("<html>not a model</html>"), /^cut\.onnx: /],
    [new Uint8Array(0), /^cut\.onnx: not an ONNX model \(no graph\)/],
    [Uint8Array.from([0xff, 0xff, 0xff, 0xff]), /^cut\.onnx: not a readable ONNX model/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => decodeOnnx(input, { source: "cut.onnx" }), (e: Error) => {
      assert.ok(e instanceof FormatError, `${e.name}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  }
  await assert.rejects(
    readOnnx("/nonexistent/model.onnx"),
    /\/nonexistent\/model\.onnx: .*not found/,
  );
});

Deno.test("codec: a model with no operator set or an unnamed node op is refused", () => {
  const noOpset = encodeOnnx({ graph: { node: [{ op_type: "Relu", output: ["y"] }] } });
  assert.throws(
    () => decodeOnnx(noOpset, { source: "m.onnx" }),
    /^FormatError: m\.onnx: .*no operator set/,
  );
  const noOp = encodeOnnx({
    opset_import: [{ version: 13 }],
    graph: { node: [{ name: "n", output: ["y"] }], output: [{ name: "y" }] },
  });
  assert.throws(
    () => decodeOnnx(noOp, { source: "m.onnx" }),
    /m\.onnx: node 0 "n" has no operator type/,
  );
});
