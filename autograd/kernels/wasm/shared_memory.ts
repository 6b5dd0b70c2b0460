/**
 * The kernel module on a shared memory, for threads.
 *
 * The embedded builds define their own, unshared memory: that is what an
 * engine without cross-origin isolation (no SharedArrayBuffer) can run. For
 * threads every thread needs an instance of the same code on one shared
 * memory, so {@linkcode sharedBinary} rewrites a build to import its memory
 * (`env.memory`, shared) instead — the code is byte for byte the same, so a
 * kernel computes the same bits on either memory. The rewrite is done here
 * rather than in `tools/build_wasm.ts` so the embedded module stays one pair
 * of builds, and an engine that cannot share memory never compiles it.
 *
 * {@linkcode sharedKernels} holds the process-wide state: one shared memory,
 * the rewritten builds compiled once and instantiated on this thread. Every
 * wasm kernel set that goes parallel moves its scratch onto this memory; they
 * may all use the same bytes, because kernel calls never overlap.
 *
 * @module
 */

import { kernelBuilds, type KernelExports } from "./instance.ts";

const IMPORT_SECTION = 2;
const MEMORY_SECTION = 5;
const MEMORY_KIND = 2;
/** Limits flags: a minimum and a maximum, shared. */
const SHARED_LIMITS = 3;

/**
 * Pages of the shared memory at most: room for the 1 GiB scratch limit of
 * scratch.ts plus the fixed bytes below it. A shared memory must declare a
 * maximum; engines reserve address space for it, not memory.
 */
export const SHARED_MAX_PAGES = 16385;

/** Reads an unsigned LEB128 number at `at`; returns it and the offset after it. */
function readU32(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/** Encodes an unsigned LEB128 number. */
function u32(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    out.push(value > 0 ? byte | 0x80 : byte);
  } while (value > 0);
  return out;
}

/**
 * Rewrites a kernel build so it imports a shared memory as `env.memory`
 * (minimum as the build's, maximum {@linkcode SHARED_MAX_PAGES}) instead of
 * defining one; the export of the memory then names the import. Returns null
 * for a module it does not expect (one with imports, or other than one
 * memory).
 */
export function sharedBinary(binary: Uint8Array): Uint8Array<ArrayBuffer> | null {
  const sections: { id: number; body: Uint8Array }[] = [];
  for (let at = 8; at < binary.length;) {
    const id = binary[at];
    const [size, start] = readU32(binary, at + 1);
    sections.push({ id, body: binary.subarray(start, start + size) });
    at = start + size;
  }
  const memory = sections.filter((s) => s.id === MEMORY_SECTION);
  if (sections.some((s) => s.id === IMPORT_SECTION) || memory.length !== 1) return null;
  const [count, limitsAt] = readU32(memory[0].body, 0);
  if (count !== 1) return null;
  const [minimum] = readU32(memory[0].body, limitsAt + 1);
  const name = (text: string) => [text.length, ...new TextEncoder().encode(text)];
  const imports = [
    1,
    ...name("env"),
    ...name("memory"),
    MEMORY_KIND,
    SHARED_LIMITS,
    ...u32(minimum),
    ...u32(SHARED_MAX_PAGES),
  ];
  const out: number[] = [...binary.subarray(0, 8)];
  let placed = false;
  for (const { id, body } of sections) {
    // Imports go after the type section, before every other known section.
    if (!placed && id !== 0 && id > IMPORT_SECTION) {
      out.push(IMPORT_SECTION, ...u32(imports.length), ...imports);
      placed = true;
    }
    if (id === MEMORY_SECTION) continue;
    out.push(id, ...u32(body.length), ...body);
  }
  return new Uint8Array(out);
}

/** Task exports of the kernel module that a thread-pool job can name, by index. */
export const TASK_EXPORTS = ["gemm_task", "unfold_task", "conv_lane_task"] as const;

/** Index in {@linkcode TASK_EXPORTS} of the gemm task. */
export const GEMM_TASK = 0;

/** Index in {@linkcode TASK_EXPORTS} of the im2col / col2im task. */
export const UNFOLD_TASK = 1;

/** Index in {@linkcode TASK_EXPORTS} of the convolution lane task. */
export const CONV_LANE_TASK = 2;

/** The process-wide shared memory and the builds compiled against it. */
export interface SharedKernels {
  /** The shared memory every thread's instances use. */
  readonly memory: WebAssembly.Memory;
  /** Compiled rewritten builds, in the order the thread pool instantiates them. */
  readonly modules: WebAssembly.Module[];
  /** This thread's instance of each module. */
  readonly instances: KernelExports[];
  /** Index into `modules` of each original build, by its binary. */
  readonly index: Map<Uint8Array, number>;
}

let shared: SharedKernels | null | undefined;

/**
 * Creates, on the first call, the shared memory and every build this engine
 * validates rewritten by {@linkcode sharedBinary} and compiled; returns the
 * same object on every call. Null when the engine cannot: no shared
 * WebAssembly memory (browsers without cross-origin isolation), or a build
 * that does not rewrite.
 */
export function sharedKernels(): SharedKernels | null {
  if (shared !== undefined) return shared;
  shared = null;
  try {
    const memory = new WebAssembly.Memory({
      initial: 1,
      maximum: SHARED_MAX_PAGES,
      shared: true,
    });
    const state: SharedKernels = { memory, modules: [], instances: [], index: new Map() };
    const { relaxed, plain } = kernelBuilds();
    for (const build of [relaxed, plain]) {
      if (!WebAssembly.validate(build)) continue;
      const binary = sharedBinary(build);
      if (binary === null) return null;
      const module = new WebAssembly.Module(binary);
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      state.index.set(build, state.modules.length);
      state.modules.push(module);
      state.instances.push(instance.exports as unknown as KernelExports);
    }
    shared = state;
  } catch {
    // No shared memory on this engine, or compilation forbidden: one thread.
  }
  return shared;
}
