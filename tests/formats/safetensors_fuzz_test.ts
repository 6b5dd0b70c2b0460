/**
 * Safetensors properties beyond the mutants of `tests/fuzz` (which load
 * mutated files through the shared harness): huge shape claims are refused
 * before allocating, and the JSON reader agrees with JSON.parse.
 */

import assert from "node:assert/strict";
import { decodeSafetensors } from "../../formats/safetensors/mod.ts";
import { JsonReader } from "../../formats/safetensors/json_reader.ts";
import { FormatError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { concat } from "./safetensors_helpers.ts";
import { pick } from "../fuzz/mutate.ts";
import { FRAGMENTS, headerLength, randomFile } from "../fuzz/safetensors_mutations.ts";

const SOURCE = "fuzz.safetensors";

Deno.test("safetensors fuzz: claims of huge tensors are refused before any allocation", () => {
  const rng = new Rng(7);
  for (let i = 0; i < 200; i++) {
    const dims = Array.from(
      { length: 1 + rng.int(4) },
      () => 1 + rng.nextUint32() * 2 ** rng.int(22),
    );
    const end = dims.reduce((a, b) => a * b, 4);
    const header = JSON.stringify({
      w: {
        dtype: "F32",
        shape: dims,
        data_offsets: [0, Number.isSafeInteger(end) ? end : 2 ** 53 - 1],
      },
    });
    const json = new TextEncoder().encode(header);
    const bytes = concat(new Uint8Array(8), json, new Uint8Array(16));
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
    assert.throws(() => decodeSafetensors(bytes, { source: SOURCE }), FormatError);
  }
});

/** Builds a value with the reader's public calls, numbers through their source text. */
function readAny(reader: JsonReader): unknown {
  switch (reader.peek()) {
    case "object": {
      const object: Record<string, unknown> = {};
      reader.beginObject();
      for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
        const value = readAny(reader);
        Object.defineProperty(object, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
    case "array": {
      const array: unknown[] = [];
      reader.beginArray();
      while (reader.nextItem()) array.push(readAny(reader));
      return array;
    }
    case "string":
      return reader.readString();
    case "number":
      return Number(reader.readNumberText());
    default:
      return JSON.parse(reader.rawValue());
  }
}

Deno.test("safetensors fuzz: the JSON reader agrees with JSON.parse except where it is stricter", () => {
  const rng = new Rng(99);
  const bases = Array.from({ length: 20 }, () => {
    const bytes = randomFile(rng);
    return new TextDecoder().decode(bytes.subarray(8, 8 + headerLength(bytes)));
  });
  const alphabet = ' {}[]:,"\\-+.0123456789eEtrufalsn\t\n\u00e9\u{1F600}';
  let stricter = 0;
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    let text = pick(rng, bases);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const at = rng.int(text.length + 1);
      const cut = rng.int(3);
      const insert = rng.int(2) ? pick(rng, [...alphabet]) : pick(rng, FRAGMENTS);
      text = text.slice(0, at) + (rng.int(2) ? insert : "") + text.slice(at + cut);
    }
    let expected: unknown;
    let builtInOk = true;
    try {
      expected = JSON.parse(text);
    } catch {
      builtInOk = false;
    }
    const fail = (message: string) => new FormatError(message);
    // Skipping and building must agree on what is valid.
    const outcomes = [(r: JsonReader) => r.skipValue(), readAny].map((read) => {
      try {
        const reader = new JsonReader(text, { fail });
        const value = read(reader);
        reader.expectEnd();
        return { value, problem: "" };
      } catch (error) {
        assert.ok(error instanceof FormatError, `case ${i}: ${error}`);
        return { value: undefined, problem: error.message };
      }
    });
    assert.equal(outcomes[0].problem, outcomes[1].problem, `case ${i}`);
    const { value, problem } = outcomes[1];
    if (problem === "") {
      assert.ok(builtInOk, `case ${i}: accepted what JSON.parse refuses: ${JSON.stringify(text)}`);
      assert.deepEqual(value, expected, `case ${i}`);
      accepted++;
    } else if (builtInOk) {
      assert.match(problem, /duplicate key|unpaired surrogate|nesting deeper/, `case ${i}`);
      stricter++;
    }
  }
  assert.ok(stricter > 0 && accepted > 100, `${stricter} stricter, ${accepted} accepted`);
});
