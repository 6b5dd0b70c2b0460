/**
 * Tests of the native backend (BLAS gemm through Deno's FFI): its products
 * against the reference kernels, delegation to the fallback, determinism per
 * thread count, the backend choice, and the errors and silence when the
 * library or the permission is missing. The op and layer checks of
 * op_check.ts run every op on it too. Tests that need the library are
 * skipped (ignored, with the reason in their name) where it is absent.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  autoBackend,
  backendName,
  type GemmArgs,
  loadNativeKernels,
  referenceKernels as ref,
  setBackend,
  useKernels,
} from "../../autograd/kernels/mod.ts";
import { InklingError } from "../../autograd/errors.ts";
import { randomArray } from "./float_arrays.ts";

// Opened here, outside any test, so the resource sanitizer never sees the library being loaded.
const probe = loadNativeKernels(ref);
const native = probe.kernels;
const skipped = native === null ? ` (skipped: ${probe.reason})` : "";

/** Runs gemm on fresh operands of the given shape and options; returns C. */
function product(
  kernels: { gemm(args: GemmArgs): void },
  shape: { m: number; k: number; n: number; transA?: boolean; transB?: boolean },
  options: { accumulate?: boolean; seed?: number } = {},
): Float32Array {
  const { m, k, n } = shape;
  const seed = options.seed ?? m * 31 + k * 7 + n;
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const c = options.accumulate ? randomArray(m * n, seed + 2) : new Float32Array(m * n).fill(NaN);
  kernels.gemm({ ...shape, a, b, c, accumulate: options.accumulate });
  return c;
}

/** |got − want| ≤ 1e-5·Σ|terms|, the float32 bound for a k-term sum (k ≤ a few thousand). */
function assertProductClose(got: Float32Array, want: Float32Array, k: number, what: string) {
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    assert.ok(err <= 1e-6 * k + 1e-6, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

const SHAPES = [
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 1024, n: 64 },
  { m: 3, k: 7, n: 5 },
  { m: 33, k: 65, n: 7 },
  { m: 64, k: 100, n: 96 },
  { m: 257, k: 129, n: 65 },
];

// First, before any product: the library is set to one thread when it is opened, not by the
// first gemm (a convolution that came first ran OpenBLAS's own threads inside the engine's lanes).
Deno.test(`opening the library sets OpenBLAS to one thread, before any product${skipped}`, {
  ignore: native === null,
}, () => {
  const library = Deno.dlopen(probe.library!, {
    openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
  });
  try {
    const threads = library.symbols.openblas_get_num_threads;
    if (threads !== null) assert.equal(threads(), 1);
  } finally {
    library.close();
  }
});

Deno.test(`native gemm matches the reference: transposes, accumulation, odd sizes${skipped}`, {
  ignore: native === null,
}, () => {
  for (const shape of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const accumulate of [false, true]) {
          const s = { ...shape, transA, transB };
          const what = `${JSON.stringify(s)} accumulate ${accumulate}`;
          const got = product(native!, s, { accumulate });
          assertProductClose(got, product(ref, s, { accumulate }), shape.k, what);
        }
      }
    }
  }
});

Deno.test(`native gemm reads and writes subarrays at their offsets${skipped}`, {
  ignore: native === null,
}, () => {
  const big = randomArray(100, 3);
  const a = big.subarray(10, 16); // 2×3
  const b = big.subarray(50, 62); // 3×4
  const out = new Float32Array(20).fill(7);
  native!.gemm({ a, b, c: out.subarray(5, 13), m: 2, k: 3, n: 4 });
  const want = new Float32Array(8);
  ref.gemm({ a, b, c: want, m: 2, k: 3, n: 4 });
  assertProductClose(out.subarray(5, 13), want, 3, "C");
  assert.deepEqual([...out.subarray(0, 5), ...out.subarray(13)], Array(12).fill(7), "outside C");
});

Deno.test(`float64 and empty products go to the fallback${skipped}`, {
  ignore: native === null,
}, () => {
  const a = Float64Array.from({ length: 12 }, (_, i) => i / 7);
  const b = Float64Array.from({ length: 12 }, (_, i) => 1 - i / 5);
  const got = new Float64Array(9);
  const want = new Float64Array(9);
  native!.gemm({ a, b, c: got, m: 3, k: 4, n: 3 });
  ref.gemm({ a, b, c: want, m: 3, k: 4, n: 3 });
  assert.deepEqual(got, want, "float64 is the fallback's result exactly");
  // k = 0: an empty sum is zero (BLAS would reject the zero leading dimension).
  const c = new Float32Array(6).fill(5);
  native!.gemm({ a: new Float32Array(0), b: new Float32Array(0), c, m: 2, k: 0, n: 3 });
  assert.deepEqual(Array.from(c), Array(6).fill(0));
  native!.gemm({ a: new Float32Array(0), b: new Float32Array(4), c, m: 0, k: 2, n: 2 });
});

Deno.test(`a fixed thread count repeats bit for bit; 1 and 2 threads agree to rounding${skipped}`, {
  ignore: native === null,
}, () => {
  const one = loadNativeKernels(ref, { threads: 1 }).kernels!;
  const two = loadNativeKernels(ref).kernels!; // the engine's pool: two threads on this machine
  // Odd sizes are where OpenBLAS 0.3.21 splits work differently per thread count.
  for (const shape of [{ m: 1000, k: 999, n: 77 }, { m: 33, k: 4097, n: 65 }, SHAPES[5]]) {
    const first = product(one, shape);
    const firstTwo = product(two, shape);
    assert.deepEqual(product(one, shape), first, "1 thread, run again");
    assert.deepEqual(product(two, shape), firstTwo, "2 threads, run again");
    // Interleaved with a 2-thread set, the 1-thread set still gets its own count.
    assert.deepEqual(product(one, shape), first, "1 thread after 2");
    assertProductClose(firstTwo, first, shape.k, `1 vs 2 threads ${JSON.stringify(shape)}`);
  }
  for (const threads of [0, 2]) {
    assert.throws(
      () => loadNativeKernels(ref, { threads: threads as 1 }),
      /threads must be 1 or left out/,
    );
  }
});

Deno.test(
  `setBackend("native") and autoBackend choose it; a missing library is a clear error${skipped}`,
  {
    ignore: native === null,
  },
  () => {
    const previous = useKernels(ref);
    try {
      setBackend("native");
      assert.equal(backendName(), "native");
      setBackend("wasm");
      assert.equal(autoBackend(), "native");
      assert.equal(backendName(), "native");
      assert.throws(
        () => setBackend("native", { library: "/nowhere/libopenblas.so.0" }),
        (error: Error) => {
          assert.ok(error instanceof InklingError);
          assert.match(error.message, /native backend is not available/);
          assert.match(error.message, /\/nowhere\/libopenblas\.so\.0: /, "the path tried");
          assert.match(error.message, /apt-get install libopenblas0/, "the package");
          return true;
        },
      );
      assert.equal(backendName(), "native", "a failed switch keeps the backend");
    } finally {
      useKernels(previous);
    }
  },
);

/** Runs `code` in a fresh Deno with `flags`; returns its output. */
async function runDeno(code: string, flags: string[], env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/probe.ts`;
    await Deno.writeTextFile(file, code);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-prompt", ...flags, file],
      env,
      stdin: "null",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const kernelsModule = fileURLToPath(new URL("../../autograd/kernels/mod.ts", import.meta.url));
const PROBE = `
import { autoBackend, backendName, setBackend } from ${JSON.stringify(kernelsModule)};
console.log(autoBackend(), backendName());
try {
  setBackend("native");
  console.log("native loaded");
} catch (error) {
  console.log(error.name + ": " + error.message);
}
`;

Deno.test("without --allow-ffi: wasm stays, nothing is printed or prompted, and asking for native says why", async () => {
  const run = await runDeno(PROBE, []);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  assert.equal(
    run.stdout,
    "wasm wasm\nInklingError: setBackend: the native backend is not available: " +
      "FFI is not permitted: run Deno with --allow-ffi\n",
  );
});

Deno.test("INKLING_BLAS names the library to open (read only with env permission)", async () => {
  const env = { INKLING_BLAS: "/nowhere/libblas-test.so" };
  const withEnv = await runDeno(PROBE, ["--allow-ffi", "--allow-env=INKLING_BLAS"], env);
  assert.equal(withEnv.code, 0, withEnv.stderr);
  assert.match(withEnv.stdout, /^wasm wasm\n/, "not found: autoBackend keeps wasm");
  assert.match(withEnv.stdout, /tried \/nowhere\/libblas-test\.so: /);
  if (native === null) return;
  // Without env permission the variable is not read, and the usual places are searched.
  const withoutEnv = await runDeno(PROBE, ["--allow-ffi"], env);
  assert.equal(withoutEnv.stdout, "native native\nnative loaded\n");
});
