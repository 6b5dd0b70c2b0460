/**
 * Finding and opening a system BLAS through Deno's FFI (`Deno.dlopen`): the
 * permission checks that come first, the library names tried, and the few C
 * symbols used — `cblas_sgemm`, and where the library has them OpenBLAS's
 * thread-count setter and three level-1 routines (scale, axpy, copy).
 * Nothing here runs at import time, and without Deno (a browser) or without
 * FFI permission no file is touched: permissions are
 * queried, never requested, so there is no prompt.
 *
 * @module
 */

/** The C entry points used, declared as `Deno.dlopen` wants them. */
const SYMBOLS = {
  // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  // Level 1, for the optimizer update (sgd_update.ts), the squared error's gradient and the copies
  // of the pool's unary parts; optional, as only cblas_sgemm is required.
  // cblas_sscal(N, alpha, X, incX)
  cblas_sscal: { parameters: ["i32", "f32", "buffer", "i32"], result: "void", optional: true },
  // cblas_saxpy(N, alpha, X, incX, Y, incY)
  cblas_saxpy: {
    parameters: ["i32", "f32", "buffer", "i32", "buffer", "i32"],
    result: "void",
    optional: true,
  },
  // cblas_scopy(N, X, incX, Y, incY)
  cblas_scopy: {
    parameters: ["i32", "buffer", "i32", "buffer", "i32"],
    result: "void",
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** `P` with every "buffer" parameter as "pointer". */
type ByPointer<P> = { -readonly [K in keyof P]: P[K] extends "buffer" ? "pointer" : P[K] };

/** `entry` with every "buffer" parameter as "pointer". */
function byPointer<const P extends readonly string[], R extends string>(
  entry: { parameters: P; result: R },
): { parameters: ByPointer<P>; result: R } {
  const parameters = entry.parameters.map((type) => type === "buffer" ? "pointer" : type);
  return { parameters: parameters as ByPointer<P>, result: entry.result };
}

/**
 * The routines a worker calls, declared with raw pointers instead of
 * buffers: a worker has only the addresses of the caller's arrays (tasks.ts
 * sends this to its workers, whose program cannot import this module).
 */
export const BLAS_BY_POINTER = {
  cblas_sgemm: byPointer(SYMBOLS.cblas_sgemm),
  cblas_sscal: { ...byPointer(SYMBOLS.cblas_sscal), optional: true },
  cblas_saxpy: { ...byPointer(SYMBOLS.cblas_saxpy), optional: true },
  cblas_scopy: { ...byPointer(SYMBOLS.cblas_scopy), optional: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** CBLAS enum values (cblas.h). */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** Environment variable naming a BLAS library to open instead of searching. */
export const BLAS_ENV = "INKLING_BLAS";

/** The package that provides OpenBLAS, for error messages. */
const INSTALL_HINT =
  "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0; macOS: brew install openblas) " +
  `or set ${BLAS_ENV} to a library that exports cblas_sgemm`;

/** A library to try; `openBlasOnly` rejects it unless it is OpenBLAS. */
interface Candidate {
  path: string;
  openBlasOnly?: boolean;
}

/**
 * Where OpenBLAS lives on each system. The bare names go through the dynamic
 * loader's own search; the absolute paths are there for `--allow-ffi=PATH`
 * grants, which only match absolute paths. `libblas.so.3` is Debian's
 * alternatives link, which can point at the reference BLAS instead: that one
 * is slower than the WebAssembly kernels, so it is only taken when it is
 * OpenBLAS.
 */
function candidates(os: string): Candidate[] {
  switch (os) {
    case "darwin":
      return [
        { path: "/opt/homebrew/opt/openblas/lib/libopenblas.dylib" },
        { path: "/usr/local/opt/openblas/lib/libopenblas.dylib" },
        { path: "/System/Library/Frameworks/Accelerate.framework/Accelerate" },
      ];
    case "windows":
      return [{ path: "libopenblas.dll" }, { path: "openblas.dll" }];
    default:
      return [
        { path: "libopenblas.so.0" },
        { path: "/usr/lib/x86_64-linux-gnu/libopenblas.so.0" },
        { path: "/usr/lib/aarch64-linux-gnu/libopenblas.so.0" },
        { path: "/usr/lib64/libopenblas.so.0" },
        { path: "libblas.so.3", openBlasOnly: true },
      ];
  }
}

/** Arguments of {@linkcode Blas.sgemm}: C (m×n) = op(A)·op(B) + beta·C, row-major. */
export interface SgemmArgs {
  /** Left matrix: m×k, or k×m when `transA`. */
  a: Float32Array;
  /** Right matrix: k×n, or n×k when `transB`. */
  b: Float32Array;
  /** Result m×n. */
  c: Float32Array;
  /** Rows of C (≥ 1). */
  m: number;
  /** Columns of C (≥ 1). */
  n: number;
  /** Inner dimension (≥ 1). */
  k: number;
  /** Read A transposed. */
  transA: boolean;
  /** Read B transposed. */
  transB: boolean;
  /** 0 overwrites C (never reading it), 1 adds into it. */
  beta: 0 | 1;
  /** Leading dimension of A (default: that of a whole m×k or k×m A; larger for a panel). */
  lda?: number;
  /** Leading dimension of B (default: that of a whole k×n or n×k B). */
  ldb?: number;
  /** Leading dimension of C (default n). */
  ldc?: number;
}

/** An opened BLAS library. */
export interface Blas {
  /** The name or path it was opened by. */
  readonly path: string;
  /** Runs cblas_sgemm; sizes must be ≥ 1 (BLAS rejects zero leading dimensions). */
  sgemm(args: SgemmArgs): void;
  /**
   * The level-1 routines, or null when the library lacks one of them (then
   * the optimizer update, the squared error's gradient and the unary parts
   * run in WebAssembly on the calling thread).
   */
  readonly level1: BlasLevel1 | null;
}

/** Level-1 BLAS on whole float32 arrays (unit strides); axpy may fuse its multiply and add. */
export interface BlasLevel1 {
  /** x ← alpha·x for the first `n` elements, alpha as a float32 (cblas_sscal). */
  sscal(n: number, alpha: number, x: Float32Array): void;
  /** y ← alpha·x + y for the first `n` elements, alpha as a float32 (cblas_saxpy). */
  saxpy(n: number, alpha: number, x: Float32Array, y: Float32Array): void;
  /** y ← x for the first `n` elements (cblas_scopy). */
  scopy(n: number, x: Float32Array, y: Float32Array): void;
}

/** What {@linkcode openBlas} found: the library, or why there is none. */
export type BlasProbe = { blas: Blas; reason?: undefined } | { blas: null; reason: string };

/** Opened libraries by path: opened once per process, never closed. */
const opened = new Map<string, Blas>();

/** The Deno namespace when the code runs in Deno, else null (browsers, other runtimes). */
export function denoApi(): typeof Deno | null {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  return deno && typeof deno.dlopen === "function" && deno.permissions ? deno : null;
}

/** Whether `descriptor` is granted, asked without ever prompting. */
export function granted(deno: typeof Deno, descriptor: Deno.PermissionDescriptor): boolean {
  try {
    return deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false; // an embedder without synchronous permission queries
  }
}

function wrap(path: string, library: Deno.DynamicLibrary<typeof SYMBOLS>): Blas {
  const { cblas_sgemm: sgemm, openblas_set_num_threads: setThreads } = library.symbols;
  const { cblas_sscal: sscal, cblas_saxpy: saxpy, cblas_scopy: scopy } = library.symbols;
  // One OpenBLAS thread for every call from the start (the setting is process-wide, so it holds
  // in the pool's workers too): its own threads would change the bits with their count, and
  // inside the engine's panels and lanes they oversubscribe the cores. Set only by the gemm
  // kernel before, a convolution that ran first spun in sched_yield: its backward took 33–105 ms
  // instead of 8.
  setThreads?.(1);
  return {
    path,
    level1: sscal === null || saxpy === null || scopy === null ? null : {
      sscal: (n, alpha, x) => sscal(n, alpha, x, 1),
      saxpy: (n, alpha, x, y) => saxpy(n, alpha, x, 1, y, 1),
      scopy: (n, x, y) => scopy(n, x, 1, y, 1),
    },
    sgemm({ a, b, c, m, n, k, transA, transB, beta, lda, ldb, ldc }) {
      sgemm(
        ROW_MAJOR,
        transA ? TRANS : NO_TRANS,
        transB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        lda ?? (transA ? m : k),
        b,
        ldb ?? (transB ? k : n),
        beta,
        c,
        ldc ?? n,
      );
    },
  };
}

/** Opens `candidate`, or says in a few words why it cannot be used. */
function tryOpen(deno: typeof Deno, candidate: Candidate): Blas | string {
  const known = opened.get(candidate.path);
  if (known) return known;
  if (!granted(deno, { name: "ffi", path: candidate.path })) return "FFI not permitted for it";
  let library: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    library = deno.dlopen(candidate.path, SYMBOLS);
  } catch (error) {
    // Deno says "Could not open library: " twice before the loader's own words.
    const message = (error instanceof Error ? error.message : String(error))
      .replaceAll("Could not open library: ", "").replaceAll(`${candidate.path}: `, "");
    return message.replace(/\s+/g, " ").slice(0, 160);
  }
  if (candidate.openBlasOnly && library.symbols.openblas_set_num_threads === null) {
    library.close();
    return "not OpenBLAS (the reference BLAS is slower than the WebAssembly kernels)";
  }
  const blas = wrap(candidate.path, library);
  opened.set(candidate.path, blas);
  return blas;
}

/**
 * Opens a BLAS: `library` if given, else the path in `$INKLING_BLAS` (read
 * only when env access to it is granted), else the first OpenBLAS found in
 * the system's usual places. Never throws; the reason names every path tried.
 */
export function openBlas(options: { library?: string } = {}): BlasProbe {
  const deno = denoApi();
  if (deno === null) {
    return { blas: null, reason: "it needs Deno's FFI (Deno.dlopen), which this runtime lacks" };
  }
  const override = options.library ?? envLibrary(deno);
  const list = override !== undefined ? [{ path: override }] : candidates(deno.build.os);
  // Per path, so that a grant of one library (--allow-ffi=PATH) is enough.
  if (!list.some((c) => granted(deno, { name: "ffi", path: c.path }))) {
    return { blas: null, reason: "FFI is not permitted: run Deno with --allow-ffi" };
  }
  const failures: string[] = [];
  for (const candidate of list) {
    const result = tryOpen(deno, candidate);
    if (typeof result !== "string") return { blas: result };
    failures.push(`${candidate.path}: ${result}`);
  }
  return {
    blas: null,
    reason: `no usable BLAS library was found (tried ${failures.join("; ")}); ${INSTALL_HINT}`,
  };
}

/** `$INKLING_BLAS` when set and readable without a prompt. */
function envLibrary(deno: typeof Deno): string | undefined {
  if (!granted(deno, { name: "env", variable: BLAS_ENV })) return undefined;
  const value = deno.env.get(BLAS_ENV);
  return value === undefined || value === "" ? undefined : value;
}
