/**
 * `deno task web`'s server without a browser: what it serves (the page, the
 * bundle gzipped for browsers that take gzip, the model byte for byte),
 * what it refuses, and its flag errors.
 */

import assert from "node:assert/strict";
import { main, startWebServer } from "../../web/serve.ts";

/** Runs the command in-process, capturing its output. */
async function run(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) });
  return { code, stdout, stderr };
}

Deno.test("web server: serves the page, the bundle and the model, and nothing else", async () => {
  const server = await startWebServer({ port: 0 });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

    const page = await get("/");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(
      page.headers.get("content-security-policy")!,
      /script-src 'self' 'wasm-unsafe-eval'/,
    );
    assert.match(await page.text(), /<script type="module" src="app.js">/);

    // Asked for gzip, the server sends the same script gzipped (fetch unpacks it).
    const plain = await get("/app.js", { headers: { "accept-encoding": "identity" } });
    assert.equal(plain.headers.get("content-encoding"), null);
    const script = new Uint8Array(await plain.arrayBuffer());
    assert.equal(script.length, server.bundleBytes);
    const gzipped = await get("/app.js", { headers: { "accept-encoding": "gzip" } });
    assert.equal(gzipped.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(gzipped.headers.get("vary"), "accept-encoding");
    assert.equal(gzipped.headers.get("content-encoding"), "gzip");
    assert.ok(server.bundleGzipBytes < server.bundleBytes / 2);
    assert.deepEqual(new Uint8Array(await gzipped.arrayBuffer()), script);

    const model = await get("/default_model.safetensors");
    assert.deepEqual(
      new Uint8Array(await model.arrayBuffer()),
      await Deno.readFile(new URL("../../ocr/default_model.safetensors", import.meta.url)),
    );

    for (const path of ["/deno.json", "/../deno.json", "/web/serve.ts", "/app.ts"]) {
      const response = await get(path);
      await response.body?.cancel();
      assert.equal(response.status, 404, path);
    }
    const post = await get("/", { method: "POST", body: "x" });
    await post.body?.cancel();
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
  } finally {
    await server.close();
  }
});

Deno.test("web server: bad flags and a port in use are one error line each", async () => {
  for (
    const [args, message] of [
      [
        ["--port", "abc"],
        /^error: --port needs an integer from 0 to 65535, got "abc" \(see --help\)$/,
      ],
      [["--port", "70000"], /^error: --port needs an integer from 0 to 65535/],
      [["--bogus"], /^error: unknown option "--bogus" \(see --help\)$/],
      [["extra"], /^error: unexpected argument "extra" \(see --help\)$/],
      [["--host="], /^error: --host needs an address/],
    ] as const
  ) {
    const { code, stderr } = await run([...args]);
    assert.equal(code, 2, args.join(" "));
    assert.equal(stderr.length, 1);
    assert.match(stderr[0], message);
  }
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout[0], /^usage: deno task web/);

  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const taken = await run(["--port", String(listener.addr.port)]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr.at(-1)!, /is in use; choose another with --port/);
});
