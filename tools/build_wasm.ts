/**
 * Builds the WebAssembly kernels from their WAT source and writes
 * `kernels_wasm.ts`, the generated module that carries both binaries as
 * base64 (so the library needs no file or network access at run time).
 *
 * The WAT fragments listed in {@linkcode WAT_FRAGMENTS} are concatenated into
 * one module. Two binaries come out of it: the source as written, which uses
 * relaxed SIMD (`f32x4.relaxed_madd`), and a plain-SIMD variant for engines
 * without relaxed SIMD, where every `f32x4.relaxed_madd` is rewritten into
 * `f32x4.add` of `f32x4.mul` ({@linkcode withoutRelaxedSimd}).
 *
 * Run `deno task wasm` after editing a `.wat` file; `tools/build_wasm.ts --check`
 * rebuilds in memory and fails when the committed generated module is stale.
 *
 * @module
 */

import wabt from "wabt";
import { writeFileAtomic } from "../formats/files.ts";
import { InklingError } from "../autograd/errors.ts";

/** The WAT fragments, in module order (memory layout first). */
export const WAT_FRAGMENTS: readonly string[] = [
  "memory.wat",
  "gemm_kernel.wat",
  "gemm_pack.wat",
  "gemm.wat",
  "math_constants.wat",
  "math.wat",
  "elementwise.wat",
  "fused.wat",
  "adam_update.wat",
  "reduce.wat",
  "conv.wat",
  "layout.wat",
  "conv_lanes.wat",
  "pool.wat",
];

const HERE = new URL("../autograd/kernels/wasm/", import.meta.url);

/** Where the generated module lives. */
export const GENERATED_MODULE: URL = new URL("kernels_wasm.ts", HERE);

const RELAXED_MADD = "(f32x4.relaxed_madd";

/** Returns the first index from `i` that is neither white space nor inside a `;;` comment. */
function skipBlank(text: string, i: number): number {
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
    } else if (text.startsWith(";;", i)) {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
    } else {
      break;
    }
  }
  return i;
}

/**
 * Returns the index just past the folded S-expression that starts at `start`
 * (which must be `(`), skipping `;;` line comments.
 */
function endOfExpression(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === ";" && text[i + 1] === ";") {
      const eol = text.indexOf("\n", i);
      i = eol < 0 ? text.length : eol;
    } else if (ch === "(") {
      depth++;
    } else if (ch === ")" && --depth === 0) {
      return i + 1;
    }
  }
  throw new InklingError(`build_wasm.ts: unbalanced parentheses in WAT near offset ${start}`);
}

/**
 * Rewrites every folded `(f32x4.relaxed_madd X Y Z)` into
 * `(f32x4.add (f32x4.mul X Y) Z)`, recursively, so the module validates
 * without the relaxed-SIMD feature. The operands must be folded expressions.
 */
export function withoutRelaxedSimd(wat: string): string {
  let out = "";
  let from = 0;
  for (let at = wat.indexOf(RELAXED_MADD); at >= 0; at = wat.indexOf(RELAXED_MADD, from)) {
    out += wat.slice(from, at);
    const operands: string[] = [];
    let i = at + RELAXED_MADD.length;
    for (let o = 0; o < 3; o++) {
      i = skipBlank(wat, i);
      if (wat[i] !== "(") {
        throw new InklingError(
          `build.ts: f32x4.relaxed_madd operand ${
            o + 1
          } near offset ${i} is not a folded expression`,
        );
      }
      const end = endOfExpression(wat, i);
      operands.push(withoutRelaxedSimd(wat.slice(i, end)));
      i = end;
    }
    i = skipBlank(wat, i);
    if (wat[i] !== ")") {
      throw new InklingError(
        `build_wasm.ts: f32x4.relaxed_madd near offset ${at} has extra operands`,
      );
    }
    out += `(f32x4.add (f32x4.mul ${operands[0]} ${operands[1]}) ${operands[2]})`;
    from = i + 1;
  }
  return out + wat.slice(from);
}

/** Reads the fragments and joins them into the text of one module. */
export async function readModuleSource(): Promise<string> {
  const parts = await Promise.all(
    WAT_FRAGMENTS.map((name) => Deno.readTextFile(new URL(name, HERE))),
  );
  return `(module\n${parts.join("\n")})\n`;
}

/** Compiles WAT text to a validated binary; `relaxed` allows relaxed SIMD. */
async function compile(wat: string, relaxed: boolean): Promise<Uint8Array> {
  const tools = await wabt();
  const features = { simd: true, relaxed_simd: relaxed, bulk_memory: true };
  let module;
  try {
    module = tools.parseWat("kernels.wat", wat, features);
  } catch (error) {
    throw new InklingError(`build_wasm.ts: WAT does not parse: ${(error as Error).message}`);
  }
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer.slice();
  } catch (error) {
    throw new InklingError(`build_wasm.ts: WAT does not validate: ${(error as Error).message}`);
  } finally {
    module.destroy();
  }
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Builds both binaries and returns the full text of the generated module. */
export async function buildGeneratedModule(): Promise<string> {
  const source = await readModuleSource();
  const relaxed = await compile(source, true);
  const plain = await compile(withoutRelaxedSimd(source), false);
  return `// generated by tools/build_wasm.ts — do not edit
/**
 * The compiled WebAssembly kernels (from the WAT fragments listed in
 * tools/build_wasm.ts), base64-encoded so the library loads them without file or
 * network access.
 *
 * @module
 */

/** The kernels using relaxed SIMD (fused multiply-add), ${relaxed.length} bytes. */
export const RELAXED_SIMD_WASM =
  "${base64(relaxed)}";

/** The same kernels with plain SIMD only, ${plain.length} bytes. */
export const PLAIN_SIMD_WASM =
  "${base64(plain)}";
`;
}

/**
 * Rebuilds in memory and compares with the committed generated module (or
 * the file `options.generated`). Returns null when they match, otherwise a
 * message saying what is wrong and what to run.
 */
export async function checkGeneratedModule(
  options: { generated?: URL } = {},
): Promise<string | null> {
  const file = options.generated ?? GENERATED_MODULE;
  const expected = await buildGeneratedModule();
  const actual = await Deno.readTextFile(file).catch(() => null);
  if (actual === expected) return null;
  const what = actual === null ? "is missing" : "is out of date with the WAT source";
  return `${file.pathname} ${what}: run \`deno task wasm\` and commit the result`;
}

if (import.meta.main) {
  if (Deno.args.includes("--check")) {
    const problem = await checkGeneratedModule();
    if (problem !== null) {
      console.error(problem);
      Deno.exit(1);
    }
    console.log("kernels_wasm.ts is up to date");
  } else {
    const text = await buildGeneratedModule();
    await writeFileAtomic(GENERATED_MODULE.pathname, new TextEncoder().encode(text));
    console.log(`wrote ${GENERATED_MODULE.pathname}`);
  }
}
