/**
 * Fetches a data set of the registry in `sources.ts` into the data directory:
 * each file is streamed into a private staging folder inside the data
 * directory, its size and digests are checked, it is unpacked there, and only
 * then are the outputs renamed into place (same file system, so every file
 * appears whole or not at all). Any failure — HTTP error, refused connection,
 * timeout, a body shorter than its `Content-Length`, a checksum mismatch, a
 * corrupt archive — ends with one {@linkcode InklingError} (or
 * {@linkcode FormatError} for bad bytes) naming the URL or file and what
 * happened, and the staging folder is removed.
 *
 * Archives are read natively (tar, gzip and ZIP via `DecompressionStream`);
 * no external `tar`/`unzip` command is used.
 *
 * @module
 */

import { FormatError, InklingError } from "../autograd/errors.ts";
import { safeMemberPath } from "../formats/archive/entry.ts";
import {
  digestChunks,
  extractArchive,
  gunzipPieces,
  saveChunks,
  type SavedFile,
} from "../formats/archive/extract.ts";
import { type DataSource, type SourceFile, SOURCES } from "./sources.ts";

/** Default of {@linkcode DownloadOptions.timeoutMs}: one minute. */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  /** The data directory; the data set goes to its folder `source.dir` (created if missing). */
  dataDir: string;
  /**
   * A local mirror folder (holding the files by name, directly or under the
   * data set's folder name) or a base URL used instead of the official URLs.
   */
  from?: string;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * Longest wait, in milliseconds, for a response or between two pieces of
   * its body before giving up (default {@linkcode DEFAULT_DOWNLOAD_TIMEOUT_MS}).
   */
  timeoutMs?: number;
  /** Cancels the download. */
  signal?: AbortSignal;
  /** Download again even if every expected output exists. */
  force?: boolean;
}

/** What {@linkcode download} did. */
export interface DownloadResult {
  /** Registry name of the data set. */
  readonly name: string;
  /** Absolute or caller-relative folder of the outputs. */
  readonly dir: string;
  /** True if every expected output existed and nothing was fetched. */
  readonly skipped: boolean;
  /** Outputs written, relative to `dir`. */
  readonly files: readonly string[];
}

/**
 * Downloads the data set `source` (a registry name such as `"mnist"`, or a
 * {@linkcode DataSource}) into `options.dataDir`, verifies and unpacks it.
 * Returns at once with `skipped` if all its expected outputs are present.
 */
export async function download(
  source: string | DataSource,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const spec = typeof source === "string" ? lookup(source) : source;
  const dir = `${options.dataDir}/${spec.dir}`;
  if (!options.force && await allExist(dir, spec.expect)) {
    return { name: spec.name, dir, skipped: true, files: [] };
  }
  await Deno.mkdir(options.dataDir, { recursive: true }).catch((error) => {
    throw new InklingError(`cannot create data directory ${options.dataDir}: ${error.message}`);
  });
  // Staging lives inside the data directory so the final renames stay on one file system.
  const staging = await Deno.makeTempDir({
    dir: options.dataDir,
    prefix: `.inkling-download-${spec.name}-`,
  }).catch((error) => {
    throw new InklingError(`cannot write to data directory ${options.dataDir}: ${error.message}`);
  });
  try {
    const written = new Map<string, string>();
    await Deno.mkdir(`${staging}/fetched`);
    for (const file of spec.files) {
      const path = `${staging}/fetched/${plainName(file.name)}`;
      const fetched = await fetchVerified(spec, file, path, options);
      await unpack(file, { path, ...fetched }, `${staging}/unpacked`, written);
    }
    await checkOutputs(spec, `${staging}/unpacked`, written);
    for (const relative of written.keys()) {
      const target = `${dir}/${relative}`;
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
      await Deno.rename(`${staging}/unpacked/${relative}`, target);
    }
    return { name: spec.name, dir, skipped: false, files: [...written.keys()] };
  } catch (error) {
    if (error instanceof InklingError) throw error;
    // File-system failures (disk full, permissions) still end in one error naming the data set.
    throw new InklingError(`${spec.name}: download failed (${(error as Error).message})`, {
      cause: error,
    });
  } finally {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
  }
}

function lookup(name: string): DataSource {
  const spec = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (spec === undefined) {
    throw new InklingError(
      `unknown data set "${name}" (known: ${Object.keys(SOURCES).join(", ")})`,
    );
  }
  return spec;
}

function plainName(name: string): string {
  if (name === "" || name === "." || name === ".." || /[\\/]/.test(name)) {
    throw new InklingError(`download file name "${name}" must be a plain file name`);
  }
  return name;
}

async function allExist(dir: string, paths: readonly string[]): Promise<boolean> {
  for (const path of paths) {
    if (!(await exists(`${dir}/${path}`))) return false;
  }
  return paths.length > 0;
}

async function exists(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined)) !== undefined;
}

/** Where `file` can come from: the mirror named by `from`, else its official URLs. */
function candidates(spec: DataSource, file: SourceFile, from: string | undefined): string[] {
  if (from === undefined) return [...file.urls];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) return [`${from.replace(/\/+$/, "")}/${file.name}`];
  return [`${from}/${file.name}`, `${from}/${spec.dir}/${file.name}`];
}

/**
 * Gets `file` into `path` from the first candidate that delivers the right
 * bytes; with one candidate its error is thrown as is, with several the
 * message lists what happened at each.
 */
async function fetchVerified(
  spec: DataSource,
  file: SourceFile,
  path: string,
  options: DownloadOptions,
): Promise<Fetched> {
  const tries = candidates(spec, file, options.from);
  const isMirrorFolder = options.from !== undefined && !tries[0].includes("://");
  if (isMirrorFolder) {
    const found = await firstExisting(tries);
    if (found === undefined) {
      throw new InklingError(
        `mirror ${options.from}: no ${file.name} (looked for ${tries.join(" and ")})`,
      );
    }
    const source = await Deno.open(found, { read: true }).catch((error) => {
      throw new InklingError(`${found}: cannot read (${error.message})`);
    });
    const saved = await saveChunks(source.readable, path, { maxBytes: file.bytes, what: found });
    return { sha256: verify(saved, file, found).sha256, origin: found };
  }
  const failures: InklingError[] = [];
  for (const url of tries) {
    try {
      const saved = await saveChunks(httpBody(url, file, options), path, {
        maxBytes: file.bytes,
        what: url,
      });
      return { sha256: verify(saved, file, url).sha256, origin: url };
    } catch (error) {
      await Deno.remove(path).catch(() => {});
      if (!(error instanceof InklingError) || options.signal?.aborted) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  throw new InklingError(
    `${file.name}: no source worked: ${failures.map((e) => e.message).join("; ")}`,
  );
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    if ((await Deno.stat(path).catch(() => undefined))?.isFile) return path;
  }
  return undefined;
}

/** A verified download: SHA-256 and where it came from (URL or mirror file). */
interface Fetched {
  readonly sha256: string;
  readonly origin: string;
}

/** Checks size and digests of a fetched or copied file against the registry; `where` names its origin. */
function verify(saved: SavedFile, file: SourceFile, where: string): SavedFile {
  if (file.bytes !== undefined && saved.bytes !== file.bytes) {
    throw new FormatError(
      `${where}: got ${saved.bytes} bytes, expected ${file.bytes} (truncated or wrong file)`,
    );
  }
  if (file.sha256 !== undefined && saved.sha256 !== file.sha256.toLowerCase()) {
    throw new FormatError(
      `${where}: SHA-256 ${saved.sha256} does not match the expected ${file.sha256}`,
    );
  }
  if (file.md5 !== undefined && saved.md5 !== file.md5.toLowerCase()) {
    throw new FormatError(`${where}: MD5 ${saved.md5} does not match the expected ${file.md5}`);
  }
  return saved;
}

/**
 * The body of `url`, piece by piece, with an idle timeout: no response or no
 * new piece within `timeoutMs` aborts the request. HTTP errors, refused
 * connections and bodies shorter than their `Content-Length` become an
 * {@linkcode InklingError} naming the URL.
 */
async function* httpBody(
  url: string,
  file: SourceFile,
  options: DownloadOptions,
): AsyncGenerator<Uint8Array> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const controller = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const cancel = () => controller.abort();
  options.signal?.addEventListener("abort", cancel, { once: true });
  const explain = (error: unknown, doing: string): InklingError =>
    timedOut
      ? new InklingError(`${url}: no data for ${timeoutMs / 1000} s ${doing} (timed out)`)
      : options.signal?.aborted
      ? new InklingError(`${url}: download cancelled`)
      : new InklingError(`${url}: ${doing} failed (${(error as Error).message})`);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    if (options.signal?.aborted) throw new InklingError(`${url}: download cancelled`);
    arm();
    // identity: the archive's own bytes, so Content-Length and the checksums refer to them.
    const request = { signal: controller.signal, headers: { "accept-encoding": "identity" } };
    const response = await (options.fetch ?? fetch)(url, request).catch((error) => {
      throw explain(error, "connecting");
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new InklingError(`${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
    }
    const header = response.headers.get("content-length");
    const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
    const declared = header === null || encoded ? undefined : Number(header);
    if (declared !== undefined && file.bytes !== undefined && declared !== file.bytes) {
      await response.body?.cancel().catch(() => {});
      throw new FormatError(
        `${url}: the server announces ${declared} bytes, expected ${file.bytes}`,
      );
    }
    if (response.body === null) throw new InklingError(`${url}: empty response`);
    reader = response.body.getReader();
    let received = 0;
    for (;;) {
      arm();
      const { done, value } = await reader.read().catch((error) => {
        if (declared === undefined || timedOut || options.signal?.aborted) {
          throw explain(error, `reading after ${received} bytes`);
        }
        throw new InklingError(
          `${url}: download truncated: connection broke off after ${received} of ${declared} bytes (${error.message})`,
        );
      });
      if (done) break;
      received += value.length;
      yield value;
    }
    if (declared !== undefined && received !== declared) {
      throw new InklingError(
        `${url}: download truncated: connection closed after ${received} of ${declared} bytes`,
      );
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", cancel);
    await reader?.cancel().catch(() => {});
  }
}

/**
 * Unpacks a verified download (at `fetched.path`, named `fetched.origin` in
 * errors) into `outDir`, recording output path → SHA-256 in `written`.
 */
async function unpack(
  file: SourceFile,
  fetched: Fetched & { path: string },
  outDir: string,
  written: Map<string, string>,
): Promise<void> {
  const { path, origin } = fetched;
  const how = file.unpack;
  if (how.kind === "keep" || how.kind === "gunzip") {
    const to = safeMemberPath(how.to, `${file.name}: output`);
    const target = `${outDir}/${to}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    if (how.kind === "keep") {
      if (how.gunzippedSha256 !== undefined) {
        checkGunzipped(origin, await digestChunks(gunzipPieces(path, origin)), how.gunzippedSha256);
      }
      written.set(to, fetched.sha256);
      await Deno.rename(path, target);
    } else {
      const saved = await saveChunks(gunzipPieces(path, origin), target, { what: origin });
      if (how.gunzippedSha256 !== undefined) checkGunzipped(origin, saved, how.gunzippedSha256);
      written.set(to, saved.sha256);
    }
    return;
  }
  const extracted = await extractArchive(path, outDir, {
    format: how.kind,
    place: how.place,
    maxBytes: how.maxBytes,
    what: origin,
  });
  for (const [relative, sha256] of extracted) written.set(relative, sha256);
}

function checkGunzipped(origin: string, digest: { sha256: string }, expected: string): void {
  if (digest.sha256 !== expected.toLowerCase()) {
    throw new FormatError(
      `${origin}: gunzipped content has SHA-256 ${digest.sha256}, expected ${expected}`,
    );
  }
}

/** Every expected output must have been produced, and a known tree digest must match. */
async function checkOutputs(
  spec: DataSource,
  outDir: string,
  written: ReadonlyMap<string, string>,
): Promise<void> {
  const missing: string[] = [];
  for (const path of spec.expect) if (!(await exists(`${outDir}/${path}`))) missing.push(path);
  if (missing.length > 0) {
    throw new FormatError(
      `${spec.name}: the download lacks ${missing.length} expected file(s): ${
        missing.slice(0, 3).join(", ")
      }` +
        (missing.length > 3 ? ", …" : ""),
    );
  }
  const tree = spec.treeDigest;
  if (tree === undefined) return;
  const digests = [...written].filter(([path]) => path.startsWith(tree.under)).map(([, sha]) => sha)
    .sort();
  const listing = new TextEncoder().encode(digests.map((d) => `${d}\n`).join(""));
  const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", listing)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  if (digests.length !== tree.files || sha256 !== tree.sha256) {
    throw new FormatError(
      `${spec.name}: the ${digests.length} files unpacked under ${tree.under} do not match the known ` +
        `${tree.files} files (digest ${sha256}, expected ${tree.sha256})`,
    );
  }
}
