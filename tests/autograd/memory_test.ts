/** The tape is released after each backward: 20,000 training steps keep resident memory flat. */

import assert from "node:assert/strict";
import { crossEntropy, gatherRows, rand, Rng, sigmoid } from "../../mod.ts";
import { Linear, SGD } from "../../layers/mod.ts";

// A kept tape would hold each step's batch and activations, about 60 KB: 1.2 GB over 20,000
// steps. The bound leaves room for the heap's own growth, which the garbage collector decides.
Deno.test("20,000 MLP steps grow resident memory by less than 200 MB", () => {
  const rng = new Rng(0);
  const x = rand([512, 256], { rng });
  const labels = Array.from({ length: 512 }, (_, i) => i % 36);
  const layer1 = new Linear(256, 64, { rng });
  const layer2 = new Linear(64, 36, { rng });
  const optimizer = new SGD([...layer1.parameters(), ...layer2.parameters()], { lr: 0.01 });
  const step = (i: number) => {
    const rows = Int32Array.from({ length: 32 }, (_, j) => (i * 32 + j) % 512);
    const logits = layer2.forward(sigmoid(layer1.forward(gatherRows(x, rows))));
    optimizer.zeroGrad();
    const loss = crossEntropy(logits, Array.from(rows, (r) => labels[r]));
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  for (let i = 0; i < 1000; i++) step(i);
  const before = Deno.memoryUsage().rss;
  let last = 0;
  for (let i = 0; i < 20_000; i++) last = step(i);
  const growth = (Deno.memoryUsage().rss - before) / 2 ** 20;
  assert.ok(Number.isFinite(last));
  assert.ok(growth < 200, `resident memory grew by ${growth.toFixed(1)} MB over 20,000 steps`);
});
