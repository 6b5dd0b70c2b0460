/** Graph surgery: a cut keeps exactly what the new outputs depend on. */

import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { cutOnnx } from "../../onnx/surgery.ts";
import { branchingModel } from "./onnx_graphs.ts";

Deno.test("cutOnnx: keeps the nodes, weights and inputs the cut tensor needs", () => {
  const onnx = branchingModel();
  const cut = cutOnnx(onnx, "a");
  assert.deepEqual(cut.graph!.node!.map((n) => n.output![0]), ["c1", "r1", "a"]);
  assert.deepEqual(cut.graph!.initializer!.map((t) => t.name), ["w1", "b1", "wa"]);
  assert.deepEqual(cut.graph!.output!.map((o) => o.name), ["a"]);
  assert.equal(cut.graph!.output![0].type?.tensor_type?.elem_type, 1);
  assert.equal(onnx.graph!.node!.length, 9); // the original is left alone
  const both = cutOnnx(onnx, ["a", "b"]);
  assert.equal(both.graph!.node!.length, 4);
});

Deno.test("cutOnnx: a tensor no node writes is a FormatError naming the model", () => {
  assert.throws(
    () => cutOnnx(branchingModel(), "fire9/nothing", { source: "b.onnx" }),
    (e: Error) =>
      e instanceof FormatError && /^b\.onnx: no node writes "fire9\/nothing"/.test(e.message),
  );
});
