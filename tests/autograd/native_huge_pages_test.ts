/**
 * Tests of the huge-page advice under a large data set (native/huge_pages.ts)
 * and the native gatherRows that gives it: batches gathered from a 40 MB
 * source are the reference kernel's, before and after the advice, and the
 * advice leaves the data as it was, whatever the system answers. Skipped
 * (ignored, with the reason in the name) without OpenBLAS.
 */

import assert from "node:assert/strict";
import { referenceKernels as ref } from "../../autograd/kernels/mod.ts";
import { adviseHugePages, HUGE_PAGE_MIN_BYTES } from "../../autograd/kernels/native/huge_pages.ts";
import { probe, skipped } from "./native_sets.ts";

Deno.test(`native gatherRows from a large source: the reference rows${skipped}`, {
  ignore: probe.kernels === null,
}, () => {
  const rowSize = 1024;
  const count = Math.ceil(HUGE_PAGE_MIN_BYTES / 4 / rowSize) + 300;
  const source = new Float32Array(count * rowSize);
  for (let i = 0; i < source.length; i += 97) source[i] = i;
  const rows = Int32Array.from([count - 1, 0, 7, 7, Math.floor(count / 2)]);
  const want = new Float32Array(rows.length * rowSize);
  ref.gatherRows(source, { rows, rowSize, out: want });
  for (let pass = 0; pass < 2; pass++) {
    const got = new Float32Array(rows.length * rowSize);
    probe.kernels!.gatherRows(source, { rows, rowSize, out: got });
    assert.deepEqual(got, want, `pass ${pass}`);
  }
  for (let i = 0; i < source.length; i += 97) assert.equal(source[i], i);
});

Deno.test("adviseHugePages leaves small arrays and the data alone, and never throws", () => {
  const small = new Float32Array(1000).fill(3);
  adviseHugePages(small);
  assert.ok(small.every((v) => v === 3));
  const large = new Float32Array(HUGE_PAGE_MIN_BYTES / 4 + 1000);
  large[0] = 1;
  large[large.length - 1] = 2;
  adviseHugePages(large);
  adviseHugePages(large.subarray(10)); // a view of the same memory: advised again, harmlessly
  assert.deepEqual([large[0], large[large.length - 1]], [1, 2]);
});
