/**
 * The defaults: the three modes in report order, a scratch resolution in
 * the 64–112 px range that the three pooling steps divide, and the
 * backbone learning at a fraction of the head's rate.
 */

import assert from "node:assert/strict";
import { FINETUNE_DEFAULTS, FINETUNE_MODES } from "../../finetune/settings.ts";

Deno.test("settings: modes in order; scratch size and backbone rate within their ranges", () => {
  assert.deepEqual(FINETUNE_MODES, ["head", "full", "scratch"]);
  const { head, full, scratch } = FINETUNE_DEFAULTS;
  assert.ok(scratch.size >= 64 && scratch.size <= 112 && scratch.size % 8 === 0);
  assert.equal(scratch.channels.length, 3);
  assert.ok(full.backboneScale > 0 && full.backboneScale < 1);
  assert.ok(head.variants >= 2 && full.minCrop < 1 && scratch.minCrop < 1);
  assert.ok(Object.isFrozen(FINETUNE_DEFAULTS));
});
