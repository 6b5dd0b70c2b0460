import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { readByteSource, readStreamLimited, sourceName } from "../../formats/byte_source.ts";

const BYTES = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

Deno.test("readByteSource: bytes, Blob, path and file: URL give the same bytes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a b.bin`;
    await Deno.writeFile(path, BYTES);
    const url = new URL(`file://${dir}/a%20b.bin`);
    for (const source of [BYTES, new Blob([BYTES]), path, url]) {
      assert.deepEqual(await readByteSource(source), BYTES);
    }
    assert.equal(sourceName(url, "x"), path);
    assert.equal(sourceName(new File([BYTES], "note.jpg"), "x"), "note.jpg");
    assert.equal(sourceName(BYTES, "bytes"), "bytes");
    await assert.rejects(readByteSource(`${dir}/missing.bin`), /missing\.bin: cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readByteSource: anything over maxBytes is refused before or while reading", async () => {
  const tooBig = /7 is not|bytes is more than the 7 allowed for an image/;
  await assert.rejects(readByteSource(BYTES, { maxBytes: 7, what: "an image" }), tooBig);
  await assert.rejects(
    readByteSource(new Blob([BYTES]), { maxBytes: 7, what: "an image" }),
    tooBig,
  );
  const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(1024)) });
  await assert.rejects(
    readStreamLimited(endless, { maxBytes: 10_000, name: "stdin", what: "an image" }),
    (error: Error) =>
      error instanceof FormatError && /^stdin: 10240 bytes is more than/.test(error.message),
  );
});

Deno.test("readByteSource: downloads stop at the bound; HTTP errors name the URL", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/ok") return new Response(BYTES);
    if (path === "/endless") {
      // No content-length: only counting the body can stop it.
      const body = new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(4096)) });
      return new Response(body);
    }
    return new Response("nope", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    assert.deepEqual(await readByteSource(new URL(`${base}/ok`)), BYTES);
    await assert.rejects(
      readByteSource(new URL(`${base}/endless`), { maxBytes: 20_000, what: "checkpoint" }),
      /\/endless: 20480 bytes is more than the 20000 allowed for checkpoint/,
    );
    await assert.rejects(
      readByteSource(new URL(`${base}/gone`)),
      new RegExp(`^FormatError: ${base}/gone: cannot download file \\(HTTP 404`),
    );
  } finally {
    await server.shutdown();
  }
});
