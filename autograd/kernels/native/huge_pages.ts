/**
 * Huge pages for a large data set read at random rows (the native
 * backend's gatherRows). With 4 KiB pages each row of a batch gathered from a
 * 44 MB training set (10,800 × 1024 float32) lands on its own page and costs
 * a TLB miss; on 2 MiB pages the whole set needs 22 entries. NumPy asks the
 * kernel for huge pages on every large array it allocates; a typed array's
 * memory was allocated by the JavaScript engine, so here Linux is asked,
 * once per array, to back the array's whole 2 MiB pages with huge pages:
 * `madvise(MADV_HUGEPAGE)`, then `madvise(MADV_COLLAPSE)` (Linux 6.1 on)
 * to do it now rather than whenever the kernel's background thread gets
 * there.
 *
 * Measured on that set: a batch of 32 random rows took 23–27 µs, then
 * 17–19 µs; the collapse took 24 ms, once.
 *
 * Best effort: nothing happens off Linux, without FFI permission for the C
 * library, or where the kernel declines (no transparent huge pages); the
 * data is never touched either way.
 *
 * @module
 */

import { denoApi, granted } from "./blas.ts";

/** Arrays smaller than this are left alone: a few 2 MiB pages save little. */
export const HUGE_PAGE_MIN_BYTES = 32 << 20;

const HUGE_PAGE = 2 << 20;
/** madvise advice values (Linux uapi mman-common.h). */
const MADV_HUGEPAGE = 14;
const MADV_COLLAPSE = 25;

const LIBC = "libc.so.6";

/** `madvise`, or null where it cannot be called; opened on first use. */
let madvise:
  | ((address: Deno.PointerValue, length: bigint, advice: number) => number)
  | null
  | undefined;

/** Arrays already advised (or found too small). */
const seen = new WeakSet<ArrayBufferView>();

function openMadvise(): typeof madvise {
  const deno = denoApi();
  if (deno === null || deno.build.os !== "linux" || !granted(deno, { name: "ffi", path: LIBC })) {
    return null;
  }
  try {
    const libc = deno.dlopen(LIBC, {
      madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
    });
    return (address, length, advice) => libc.symbols.madvise(address, length, advice);
  } catch {
    return null;
  }
}

/**
 * Asks for huge pages under `data` when it is at least
 * {@linkcode HUGE_PAGE_MIN_BYTES}; once per array, never throws.
 */
export function adviseHugePages(data: ArrayBufferView): void {
  if (data.byteLength < HUGE_PAGE_MIN_BYTES || seen.has(data)) return;
  seen.add(data);
  madvise ??= openMadvise();
  const advise = madvise;
  if (!advise) return;
  const start = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(data)));
  const page = BigInt(HUGE_PAGE);
  // Only the whole huge pages inside the array: the advice covers them alone.
  const first = (start + page - 1n) / page * page;
  const end = (start + BigInt(data.byteLength)) / page * page;
  if (end <= first) return;
  const at = Deno.UnsafePointer.create(first);
  if (advise(at, end - first, MADV_HUGEPAGE) === 0) advise(at, end - first, MADV_COLLAPSE);
}
