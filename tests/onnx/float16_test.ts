/** float16 ↔ float32 conversion: exact on every half value, round-to-nearest-even going down. */

import assert from "node:assert/strict";
import {
  float16ToFloat32,
  float32ToFloat16,
  floatToHalf,
  halfToFloat,
} from "../../onnx/float16.ts";

Deno.test("float16: known bit patterns", () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x7bff), 65504);
  assert.equal(halfToFloat(0x0001), 2 ** -24);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  assert.equal(floatToHalf(1), 0x3c00);
  assert.equal(floatToHalf(65520), 0x7c00); // rounds up past the largest half
  assert.equal(floatToHalf(1e-9), 0);
  assert.equal(floatToHalf(-0), 0x8000);
});

Deno.test("float16: every half value survives float32 and back", () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const back = float32ToFloat16(float16ToFloat32(all));
  for (let i = 0; i < 65536; i++) {
    const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
    if (!nan) assert.equal(back[i], i, `0x${i.toString(16)}`);
  }
});

Deno.test("float16: ties round to even, others to nearest", () => {
  // 1 + 2^-11 is halfway between 1 and the next half (1 + 2^-10): ties to even → 1.
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00);
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(floatToHalf(1 + 2 ** -11 + 2 ** -20), 0x3c01);
  // Subnormal halves: 1.5 × 2^-24 is a tie between 1 and 2 units → 2.
  assert.equal(floatToHalf(1.5 * 2 ** -24), 0x0002);
});
