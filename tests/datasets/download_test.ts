/** Data-set downloads over HTTP and from mirrors: verification, skipping, timeouts, failures. */

import assert from "node:assert/strict";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { compress } from "../../formats/decompress.ts";
import { download } from "../../datasets/download.ts";
import type { DataSource } from "../../datasets/sources.ts";
import {
  failure,
  listTree,
  PAYLOAD,
  plainSource,
  sha256,
  withDataDir,
  withServer,
} from "./download_helpers.ts";

Deno.test("download: HTTP success is verified, placed, then skipped while present", async () => {
  let requests = 0;
  await withServer((request) => {
    requests++;
    return new URL(request.url).pathname === "/payload.bin"
      ? new Response(PAYLOAD)
      : new Response(null, { status: 404 });
  }, async (base) => {
    await withDataDir(async (dataDir) => {
      const source = plainSource([`${base}/payload.bin`]);
      const result = await download(source, { dataDir });
      assert.deepEqual(result, {
        name: "plain",
        dir: `${dataDir}/plain`,
        skipped: false,
        files: ["payload.bin"],
      });
      assert.deepEqual(await Deno.readFile(`${dataDir}/plain/payload.bin`), PAYLOAD);
      assert.deepEqual(await listTree(dataDir), ["plain/", "plain/payload.bin"]); // no staging left
      assert.equal((await download(source, { dataDir })).skipped, true);
      assert.equal(requests, 1);
      assert.equal((await download(source, { dataDir, force: true })).skipped, false);
      assert.equal(requests, 2);
    });
  });
});

Deno.test("download: HTTP 404 and a refused connection are clear errors and leave nothing behind", async () => {
  await withServer(
    () => new Response("gone", { status: 404, statusText: "Not Found" }),
    async (base) => {
      await withDataDir(async (dataDir) => {
        const url = `${base}/payload.bin`;
        const message = await failure(
          download(plainSource([url]), { dataDir }),
          InklingError,
          /HTTP 404 Not Found/,
        );
        assert.ok(message.startsWith(url), message);
        assert.deepEqual(await listTree(dataDir), []);
      });
    },
  );
  // A port that was just closed refuses connections.
  const closed = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("x"),
  );
  const port = closed.addr.port;
  await closed.shutdown();
  await withDataDir(async (dataDir) => {
    const url = `http://127.0.0.1:${port}/payload.bin`;
    await failure(
      download(plainSource([url]), { dataDir }),
      InklingError,
      new RegExp(`^${url}: connecting failed`),
    );
    assert.deepEqual(await listTree(dataDir), []);
  });
});

Deno.test("download: a body shorter than its Content-Length is reported as truncated, no partial file", async () => {
  await withServer(() => {
    const half = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(PAYLOAD.slice(0, 20_000));
        controller.close();
      },
    });
    return new Response(half, { headers: { "content-length": String(PAYLOAD.length) } });
  }, async (base) => {
    await withDataDir(async (dataDir) => {
      const url = `${base}/payload.bin`;
      // Without a known size the Content-Length is what shows the truncation.
      await failure(
        download(plainSource([url], { bytes: undefined }), { dataDir }),
        InklingError,
        new RegExp(
          `^${url}: download truncated: connection (broke off|closed) after 20000 of 50000 bytes`,
        ),
      );
      assert.deepEqual(await listTree(dataDir), []);
    });
  });
});

Deno.test("download: a checksum or size mismatch is a FormatError naming the URL, no partial file", async () => {
  const tampered = PAYLOAD.slice();
  tampered[1234] ^= 1;
  await withServer((request) => {
    const path = new URL(request.url).pathname;
    return new Response(path === "/short.bin" ? PAYLOAD.slice(0, 100) : tampered);
  }, async (base) => {
    await withDataDir(async (dataDir) => {
      await failure(
        download(plainSource([`${base}/payload.bin`]), { dataDir }),
        FormatError,
        new RegExp(
          `^${base}/payload.bin: SHA-256 ${sha256(tampered)} does not match the expected ${
            sha256(PAYLOAD)
          }`,
        ),
      );
      await failure(
        download(plainSource([`${base}/payload.bin`], { sha256: undefined, md5: "0".repeat(32) }), {
          dataDir,
        }),
        FormatError,
        /MD5 [0-9a-f]{32} does not match/,
      );
      await failure(
        download(plainSource([`${base}/short.bin`]), { dataDir }),
        FormatError,
        /short\.bin: the server announces 100 bytes, expected 50000/,
      );
      assert.deepEqual(await listTree(dataDir), []);
    });
  });
});

Deno.test("download: a silent server times out; the next URL is tried; all failures are listed", async () => {
  let release = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  await withServer(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/slow.bin") {
      await stalled;
      return new Response("late");
    }
    return path === "/payload.bin" ? new Response(PAYLOAD) : new Response(null, { status: 500 });
  }, async (base) => {
    try {
      await withDataDir(async (dataDir) => {
        const slow = `${base}/slow.bin`;
        await failure(
          download(plainSource([slow]), { dataDir, timeoutMs: 200 }),
          InklingError,
          new RegExp(`^${slow}: no data for 0.2 s connecting \\(timed out\\)`),
        );
        const result = await download(plainSource([`${base}/broken.bin`, `${base}/payload.bin`]), {
          dataDir,
        });
        assert.deepEqual(result.files, ["payload.bin"]);
        await Deno.remove(`${dataDir}/plain`, { recursive: true });
        await failure(
          download(plainSource([`${base}/broken.bin`, `${base}/gone.bin`]), { dataDir }),
          InklingError,
          /^payload\.bin: no source worked: .*broken\.bin: HTTP 500.*; .*gone\.bin: HTTP 500/,
        );
        assert.deepEqual(await listTree(dataDir), []);
      });
    } finally {
      release();
    }
  });
});

Deno.test("download: a local mirror folder or base URL replaces the official URLs", async () => {
  await withDataDir(async (mirror) => {
    await Deno.mkdir(`${mirror}/plain`);
    await Deno.writeFile(`${mirror}/plain/payload.bin`, PAYLOAD);
    await withDataDir(async (dataDir) => {
      const official = ["http://127.0.0.1:9/never-used"];
      const result = await download(plainSource(official), { dataDir, from: mirror });
      assert.deepEqual(result.files, ["payload.bin"]);
      assert.deepEqual(await Deno.readFile(`${dataDir}/plain/payload.bin`), PAYLOAD);
      await Deno.remove(`${dataDir}/plain`, { recursive: true });
      await Deno.writeFile(`${mirror}/plain/payload.bin`, PAYLOAD.slice(0, 49_999));
      await failure(
        download(plainSource(official), { dataDir, from: mirror }),
        FormatError,
        new RegExp(`^${mirror}/plain/payload.bin: got 49999 bytes, expected 50000`),
      );
      await Deno.remove(`${mirror}/plain/payload.bin`);
      await failure(
        download(plainSource(official), { dataDir, from: mirror }),
        InklingError,
        /^mirror .*: no payload\.bin/,
      );
      assert.deepEqual(await listTree(dataDir), []);
    });
  });
  await withServer(
    (request) =>
      new URL(request.url).pathname === "/base/payload.bin"
        ? new Response(PAYLOAD)
        : new Response(null, { status: 404 }),
    async (base) => {
      await withDataDir(async (dataDir) => {
        await download(plainSource(["http://127.0.0.1:9/never-used"]), {
          dataDir,
          from: `${base}/base/`,
        });
        assert.deepEqual(await Deno.readFile(`${dataDir}/plain/payload.bin`), PAYLOAD);
      });
    },
  );
});

Deno.test("download: a .gz is gunzipped to its target and its content digest checked", async () => {
  await withDataDir(async (mirror) => {
    await Deno.writeFile(`${mirror}/payload.bin.gz`, await compress(PAYLOAD, "gzip"));
    const gunzipped = (digest: string): DataSource => ({
      ...plainSource([]),
      files: [{
        name: "payload.bin.gz",
        urls: ["http://127.0.0.1:9/never-used"],
        unpack: { kind: "gunzip", to: "payload.bin", gunzippedSha256: digest },
      }],
    });
    await withDataDir(async (dataDir) => {
      await failure(
        download(gunzipped("0".repeat(64)), { dataDir, from: mirror }),
        FormatError,
        new RegExp(
          `^${mirror}/payload.bin.gz: gunzipped content has SHA-256 ${
            sha256(PAYLOAD)
          }, expected 0{64}`,
        ),
      );
      assert.deepEqual(await listTree(dataDir), []);
      await download(gunzipped(sha256(PAYLOAD)), { dataDir, from: mirror });
      assert.deepEqual(await Deno.readFile(`${dataDir}/plain/payload.bin`), PAYLOAD);
      assert.deepEqual(await listTree(dataDir), ["plain/", "plain/payload.bin"]);
    });
  });
});

Deno.test("download: the caller's AbortSignal cancels a stalled download", async () => {
  let release = () => {};
  const stalled = new Promise<void>((resolve) => (release = resolve));
  await withServer(async () => {
    await stalled;
    return new Response("late");
  }, async (base) => {
    try {
      await withDataDir(async (dataDir) => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 50);
        await failure(
          download(plainSource([`${base}/payload.bin`]), { dataDir, signal: controller.signal }),
          InklingError,
          new RegExp(`^${base}/payload.bin: download cancelled$`),
        );
        clearTimeout(timer);
        assert.deepEqual(await listTree(dataDir), []);
      });
    } finally {
      release();
    }
  });
});
