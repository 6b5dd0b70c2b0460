/**
 * Fuzz targets of the in-memory formats: MAT (plain, zlib-compressed, big
 * endian, and elements damaged behind a valid zlib layer), IDX raw and gzip
 * (damaged gzip bytes, and damage behind valid gzip), and safetensors (a
 * loaded file must also be self-consistent and survive re-encoding).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Rng } from "../../autograd/rng.ts";
import { compress, concatBytes, MAX_DEFLATE_RATIO } from "../../formats/decompress.ts";
import { encodeIdx, parseIdx } from "../../formats/idx/mod.ts";
import { encodeMat, type MatArray, parseMat } from "../../formats/mat/mod.ts";
import {
  decodeSafetensors,
  DTYPE_NAMES,
  encodeSafetensors,
} from "../../formats/safetensors/mod.ts";
import { FIXTURES_DIR } from "../shared_data.ts";
import { type Mutant, mutate, pick } from "./mutate.ts";
import {
  ARRAY_OF,
  headerLength,
  randomFile,
  SAFETENSORS_MUTATIONS,
} from "./safetensors_mutations.ts";
import type { FuzzTarget, PreparedTarget } from "./target.ts";

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

/** Splits a clean uncompressed MAT file into its top-level elements (after the 128-byte header). */
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

/** Mutates some elements of a clean file, then stores each as a valid zlib stream: corrupt arrays behind a correct compression layer. */
async function mutateBehindCompression(file: Uint8Array, rng: Rng): Promise<Mutant> {
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

const MAT: FuzzTarget = {
  name: "mat",
  description: "MAT v5 files (plain, zlib, big-endian, damage behind zlib) through parseMat",
  boundText: "arrays ≤ 8 × 1032 × input + 1 MiB (zlib's largest expansion)",
  async prepare(): Promise<PreparedTarget> {
    const mixed = await Deno.readFile(`${FIXTURES_DIR}/mat/mixed_types_v5.mat`);
    const compressed = await Deno.readFile(`${FIXTURES_DIR}/mat/mixed_types_v5_compressed.mat`);
    const bigEndian = await encodeMat({
      a: { shape: [2, 3, 2], data: Float32Array.from({ length: 12 }, (_, i) => i) },
      t: { shape: [1, 5], data: "hello" },
      b: { class: "logical", shape: [3, 1], data: Uint8Array.from([1, 0, 1]) },
      q: { shape: [1, 2], data: BigUint64Array.from([1n, 2n]) },
    }, { littleEndian: false });
    const seeds = [mixed, compressed, bigEndian];
    return {
      seeds,
      mutant: (rng) => {
        const which = rng.int(seeds.length + 1);
        if (which === seeds.length) return mutateBehindCompression(mixed, rng);
        return Promise.resolve(mutate(seeds[which], rng, { others: seeds }));
      },
      async run(bytes, { index }) {
        // Every third case asks for two variables, exercising the skip path.
        const variables = index % 3 === 0 ? ["cube", "t"] : undefined;
        const result = await parseMat(bytes, { source: "fuzz.mat", variables });
        return [...result.values()].reduce((n, v) => n + arrayBytes(v), 0);
      },
      errorPrefix: "fuzz.mat",
      bound: (n) => 8 * MAX_DEFLATE_RATIO * n + (1 << 20),
      close: () => Promise.resolve(),
    };
  },
};

function idxSeeds(): Promise<Uint8Array[]> {
  return Promise.all([
    encodeIdx({ shape: [3, 4, 5], data: Uint8Array.from({ length: 60 }, (_, i) => i) }),
    encodeIdx({ shape: [2, 3], data: Int16Array.from([1, -2, 3, -4, 5, -6]) }),
    encodeIdx({ shape: [2, 2], data: Float64Array.from([0.5, 1, 2, 4]) }),
    encodeIdx({ shape: [3], data: Float32Array.from([1, 2, 3]) }),
  ]);
}

async function runIdx(bytes: Uint8Array): Promise<number> {
  const result = await parseIdx(bytes, { source: "fuzz.idx" });
  return result.data.byteLength;
}

const IDX: FuzzTarget = {
  name: "idx",
  description: "raw IDX files through parseIdx",
  boundText: "data ≤ input",
  async prepare(): Promise<PreparedTarget> {
    const seeds = await idxSeeds();
    return {
      seeds,
      mutant: (rng) => Promise.resolve(mutate(pick(rng, seeds), rng, { others: seeds })),
      run: runIdx,
      errorPrefix: "fuzz.idx",
      bound: (n) => n,
      close: () => Promise.resolve(),
    };
  },
};

const IDX_GZ: FuzzTarget = {
  name: "idx.gz",
  description: "gzip IDX files (damaged gzip bytes, damage behind valid gzip) through parseIdx",
  boundText: "data ≤ 1032 × input (gzip's largest expansion)",
  async prepare(): Promise<PreparedTarget> {
    const raw = await idxSeeds();
    const seeds = await Promise.all(raw.map((seed) => compress(seed, "gzip")));
    return {
      seeds,
      async mutant(rng) {
        if (rng.next() < 0.5) return mutate(pick(rng, seeds), rng, { others: seeds });
        const inner = mutate(pick(rng, raw), rng, { others: raw });
        return { bytes: await compress(inner.bytes, "gzip"), how: `gzip(${inner.how})` };
      },
      run: runIdx,
      errorPrefix: "fuzz.idx",
      bound: (n) => MAX_DEFLATE_RATIO * n,
      close: () => Promise.resolve(),
    };
  },
};

const SAFETENSORS_SOURCE = "fuzz.safetensors";

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Decodes `bytes`; a loaded file must be self-consistent and survive re-encoding unchanged. */
function loadChecked(bytes: Uint8Array): number {
  const { tensors, metadata } = decodeSafetensors(bytes, { source: SAFETENSORS_SOURCE });
  let total = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    assert.ok(DTYPE_NAMES.includes(tensor.dtype), `${name} dtype`);
    assert.ok(tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0), `${name} shape`);
    assert.equal(tensor.data.constructor, ARRAY_OF[tensor.dtype], `${name} array type`);
    assert.equal(tensor.data.length, product(tensor.shape), `${name} element count`);
    if (tensor.dtype === "BOOL") assert.ok(tensor.data.every((v) => v <= 1), `${name} bool`);
    total += tensor.data.byteLength;
  }
  assert.ok(total <= bytes.length - 8 - headerLength(bytes), "more data than the file holds");
  for (const value of Object.values(metadata)) assert.equal(typeof value, "string");
  const again = decodeSafetensors(encodeSafetensors(tensors, { metadata }));
  assert.deepEqual(Object.keys(again.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, tensor] of Object.entries(tensors)) {
    const copy = again.tensors[name];
    assert.deepEqual([copy.dtype, copy.shape], [tensor.dtype, tensor.shape], name);
    assert.deepEqual(new Uint8Array(copy.data.buffer), new Uint8Array(tensor.data.buffer), name);
  }
  assert.deepEqual(again.metadata, metadata);
  return total;
}

/** One to three safetensors-aware mutations (the first names the case), a fifth of the time generic ones. */
export function mutateSafetensors(
  bytes: Uint8Array,
  rng: Rng,
  seeds: readonly Uint8Array[],
): Mutant {
  if (rng.next() < 0.2) return mutate(bytes, rng, { others: seeds });
  const names = Object.keys(SAFETENSORS_MUTATIONS);
  const applied = Array.from(
    { length: 1 + (rng.int(3) === 0 ? rng.int(3) : 0) },
    () => pick(rng, names),
  );
  for (const name of applied) bytes = SAFETENSORS_MUTATIONS[name](rng, bytes, seeds);
  return { bytes, how: applied.join("+") };
}

const SAFETENSORS: FuzzTarget = {
  name: "safetensors",
  description: "safetensors files through decodeSafetensors, re-encoded when they load",
  boundText: "tensor data ≤ input − 8 − header",
  prepare(): Promise<PreparedTarget> {
    const rng = new Rng(20240611);
    const seeds = Array.from({ length: 40 }, () => randomFile(rng));
    return Promise.resolve({
      seeds,
      mutant: (rng) => Promise.resolve(mutateSafetensors(pick(rng, seeds), rng, seeds)),
      run: (bytes) => Promise.resolve().then(() => loadChecked(bytes)),
      errorPrefix: `${SAFETENSORS_SOURCE}: `,
      bound: (n) => n,
      close: () => Promise.resolve(),
    });
  },
};

/** The in-memory format targets. */
export const FORMAT_TARGETS: readonly FuzzTarget[] = [MAT, IDX, IDX_GZ, SAFETENSORS];
