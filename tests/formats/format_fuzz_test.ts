import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { compress, concatBytes, MAX_DEFLATE_RATIO } from "../../formats/decompress.ts";
import { encodeIdx, parseIdx } from "../../formats/idx/mod.ts";
import { encodeMat, type MatArray, parseMat } from "../../formats/mat/mod.ts";
import { FIXTURES_DIR } from "../shared_data.ts";

// Every mutated file must either parse or fail with a FormatError: no other
// exception, no hang, and no result larger than the file could describe.

const FIXTURES = `${FIXTURES_DIR}/mat/`;
const CASES_PER_SEED = 300;
const HANG_MS = 5000;

type Mutation = (bytes: Uint8Array, rng: Rng) => Uint8Array;

const HUGE = [0x7fffffff, 0xffffffff, 0x80000000, 0x10000000, 0x0000ffff];

const MUTATIONS: Record<string, Mutation> = {
  flip(bytes, rng) {
    const out = bytes.slice();
    for (let k = 1 + rng.int(8); k > 0 && out.length > 0; k--) {
      out[rng.int(out.length)] = rng.int(256);
    }
    return out;
  },
  truncate(bytes, rng) {
    return bytes.slice(0, rng.int(bytes.length));
  },
  insert(bytes, rng) {
    const at = rng.int(bytes.length + 1);
    const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
    return concatBytes([bytes.subarray(0, at), junk, bytes.subarray(at)]);
  },
  huge(bytes, rng) {
    const out = bytes.slice();
    if (out.length < 4) return out;
    const at = 4 * rng.int(Math.floor(out.length / 4));
    new DataView(out.buffer).setUint32(
      at,
      rng.next() < 0.8 ? HUGE[rng.int(HUGE.length)] : rng.nextUint32(),
      rng.next() < 0.5,
    );
    return out;
  },
  /** Sets a value of a (LE) miINT32 dims element or an IDX dimension to a huge number. */
  hugeDimension(bytes, rng) {
    const out = bytes.slice();
    const view = new DataView(out.buffer);
    const idx = out[0] === 0 && out[1] === 0;
    const spots: number[] = [];
    if (idx) { for (let d = 0; d < out[3] && 8 + 4 * d <= out.length; d++) spots.push(4 + 4 * d); }
    else {
      for (let at = 0; at + 16 <= out.length; at += 8) {
        if (view.getUint32(at, true) === 5 && view.getUint32(at + 4, true) % 4 === 0) {
          spots.push(at + 8);
        }
      }
    }
    if (spots.length === 0) return MUTATIONS.huge(bytes, rng);
    view.setUint32(spots[rng.int(spots.length)], HUGE[rng.int(HUGE.length)], !idx);
    return out;
  },
};
const NAMES = Object.keys(MUTATIONS);

function mutate(bytes: Uint8Array, rng: Rng): { bytes: Uint8Array; how: string } {
  const first = NAMES[rng.int(NAMES.length)];
  let out = MUTATIONS[first](bytes, rng);
  let how = first;
  if (rng.next() < 0.25) {
    const second = NAMES[rng.int(NAMES.length)];
    out = MUTATIONS[second](out, rng);
    how += `+${second}`;
  }
  return { bytes: out, how };
}

/** Runs `parse`, classing the outcome; anything but success or FormatError fails the test. */
async function outcome<T>(parse: () => Promise<T>, label: string): Promise<T | FormatError> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result after ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    return await Promise.race([parse(), hang]);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw new Error(`${label}: ${(error as Error)?.name}: ${(error as Error)?.message}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

function arrayBytes(array: MatArray): number {
  if (array.class === "char") return 2 * array.data.length;
  if (array.class === "cell") return array.data.reduce((n, a) => n + 8 + arrayBytes(a), 0);
  if (array.class === "struct") {
    return array.data.reduce(
      (n, m) => n + 8 + [...m.values()].reduce((k, a) => k + arrayBytes(a), 0),
      0,
    );
  }
  return array.data.byteLength + (array.class !== "logical" ? array.imag?.byteLength ?? 0 : 0);
}

/** Splits a clean uncompressed MAT file into header and top-level elements. */
function topLevelElements(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const parts: Uint8Array[] = [];
  for (let at = 128; at + 8 <= file.length;) {
    const end = at + 8 + view.getUint32(at + 4, true);
    parts.push(file.subarray(at, end));
    at = end;
  }
  return parts;
}

/** Mutates each element of a clean file, then stores it as a valid zlib stream: the parser sees corrupt arrays behind a correct compression layer. */
async function mutateBehindCompression(
  file: Uint8Array,
  rng: Rng,
): Promise<{ bytes: Uint8Array; how: string }> {
  const parts: Uint8Array[] = [file.subarray(0, 128)];
  const hows: string[] = [];
  for (const element of topLevelElements(file)) {
    const mutated = rng.next() < 0.3 ? mutate(element, rng) : { bytes: element, how: "" };
    if (mutated.how) hows.push(mutated.how);
    const zlib = await compress(mutated.bytes, "deflate");
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, 15, true);
    new DataView(tag.buffer).setUint32(4, zlib.length, true);
    parts.push(tag, zlib);
  }
  return { bytes: concatBytes(parts), how: `compressed(${hows.join(",")})` };
}

Deno.test("fuzz: mutated MAT files parse or throw FormatError", async () => {
  const mixed = await Deno.readFile(`${FIXTURES}mixed_types_v5.mat`);
  const mixedCompressed = await Deno.readFile(`${FIXTURES}mixed_types_v5_compressed.mat`);
  const bigEndian = await encodeMat({
    a: { shape: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) },
    t: { shape: [1, 5], data: "hello" },
    b: { class: "logical", shape: [3, 1], data: Uint8Array.from([1, 0, 1]) },
    q: { shape: [1, 2], data: BigUint64Array.from([1n, 2n]) },
  }, { littleEndian: false });
  const seeds: [string, (rng: Rng) => Promise<{ bytes: Uint8Array; how: string }>][] = [
    ["mixed_types_v5.mat", (rng) => Promise.resolve(mutate(mixed, rng))],
    ["mixed_types_v5_compressed.mat", (rng) => Promise.resolve(mutate(mixedCompressed, rng))],
    ["big-endian", (rng) => Promise.resolve(mutate(bigEndian, rng))],
    ["mixed recompressed", (rng) => mutateBehindCompression(mixed, rng)],
  ];
  const rng = new Rng(20240611);
  const tally = { parsed: 0, refused: 0 };
  for (const [seedName, make] of seeds) {
    for (let i = 0; i < CASES_PER_SEED; i++) {
      const { bytes, how } = await make(rng);
      const label = `MAT ${seedName} case ${i} (${how})`;
      // Every third case asks for two variables, exercising the skip path.
      const variables = i % 3 === 0 ? ["cube", "t"] : undefined;
      const result = await outcome(() => parseMat(bytes, { source: "fuzz.mat", variables }), label);
      if (result instanceof FormatError) {
        assert.match(result.message, /^fuzz\.mat/, label);
        tally.refused++;
        continue;
      }
      tally.parsed++;
      const produced = [...result.values()].reduce((n, v) => n + arrayBytes(v), 0);
      assert.ok(
        produced <= 8 * MAX_DEFLATE_RATIO * bytes.length + (1 << 20),
        `${label}: ${produced} bytes from ${bytes.length}`,
      );
    }
  }
  console.log(
    `MAT fuzz: ${
      tally.parsed + tally.refused
    } cases, ${tally.parsed} parsed, ${tally.refused} FormatError`,
  );
  assert.ok(tally.parsed + tally.refused >= 1000);
});

Deno.test("fuzz: mutated IDX files (raw and gzip) parse or throw FormatError", async () => {
  const seeds = await Promise.all([
    encodeIdx({ shape: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => i) }),
    encodeIdx({ shape: [2, 3], data: Int16Array.from([1, -2, 3, -4, 5, -6]) }),
    encodeIdx({ shape: [2, 2], data: Float64Array.from([0.5, 1, 2, 4]) }),
    encodeIdx({ shape: [3], data: Float32Array.from([1, 2, 3]) }),
  ]);
  const rng = new Rng(7);
  const tally = { parsed: 0, refused: 0 };
  const strategies: [string, (seed: Uint8Array) => Promise<{ bytes: Uint8Array; how: string }>][] =
    [
      ["raw", (seed) => Promise.resolve(mutate(seed, rng))],
      ["gzip bytes", async (seed) => mutate(await compress(seed, "gzip"), rng)],
      ["behind gzip", async (seed) => {
        const m = mutate(seed, rng);
        return { bytes: await compress(m.bytes, "gzip"), how: `gzip(${m.how})` };
      }],
    ];
  for (const [strategy, make] of strategies) {
    for (let i = 0; i < 400; i++) {
      const { bytes, how } = await make(seeds[i % seeds.length]);
      const label = `IDX ${strategy} case ${i} (${how})`;
      const result = await outcome(() => parseIdx(bytes, { source: "fuzz.idx" }), label);
      if (result instanceof FormatError) {
        assert.match(result.message, /^fuzz\.idx/, label);
        tally.refused++;
        continue;
      }
      tally.parsed++;
      assert.ok(
        result.data.byteLength <= MAX_DEFLATE_RATIO * bytes.length,
        `${label}: ${result.data.byteLength} bytes from ${bytes.length}`,
      );
    }
  }
  console.log(
    `IDX fuzz: ${
      tally.parsed + tally.refused
    } cases, ${tally.parsed} parsed, ${tally.refused} FormatError`,
  );
  assert.ok(tally.parsed + tally.refused >= 1000);
});
