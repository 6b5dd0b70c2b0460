/**
 * Shared helpers of the data-set download tests: a throwaway HTTP server on
 * 127.0.0.1, temporary data directories, a one-file test data set and a
 * check of the error a failed download rejects with.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { InklingError } from "../../autograd/errors.ts";
import type { DataSource, SourceFile } from "../../datasets/sources.ts";
import { noise } from "../formats/archive_builder.ts";

/** Lower-case hex SHA-256 of `bytes`. */
export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Runs `body` with a server on 127.0.0.1 (port 0) and always shuts it down. */
export async function withServer(
  handler: (request: Request) => Response | Promise<Response>,
  body: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

/** Runs `body` with a fresh data directory and removes it afterwards. */
export async function withDataDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "download_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every file below `dir`, relative, sorted. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) found.push(`${path}/`, ...(await listTree(dir, `${path}/`)));
    else found.push(path);
  }
  return found.sort();
}

/** 50 000 bytes of seeded noise: the one file of `plainSource`. */
export const PAYLOAD = noise(50_000);

/** A data set of one kept file, `payload.bin`, served at `base`. */
export function plainSource(urls: string[], facts: Partial<SourceFile> = {}): DataSource {
  return {
    name: "plain",
    title: "test",
    licence: "test",
    dir: "plain",
    files: [{
      name: "payload.bin",
      urls,
      bytes: PAYLOAD.length,
      sha256: sha256(PAYLOAD),
      unpack: { kind: "keep", to: "payload.bin" },
      ...facts,
    }],
    expect: ["payload.bin"],
  };
}

/** Asserts `promise` rejects with an error of `type` whose message matches `pattern`, and returns the message. */
export async function failure(
  promise: Promise<unknown>,
  type: typeof InklingError,
  pattern: RegExp,
): Promise<string> {
  let message = "";
  await assert.rejects(promise, (error: Error) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    assert.match(error.message, pattern);
    message = error.message;
    return true;
  });
  return message;
}
