import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { compress } from "../../datasets/decompress.ts";
import { download } from "../../datasets/download.ts";
import { type DataSource, type SourceFile, SOURCES } from "../../datasets/sources.ts";
import { noise, tar, text, zip } from "./archive_builder.ts";

const DATA_DIR = (Deno.env.get("INKLING_DATA_DIR") ??
  fileURLToPath(new URL("../../../shared/data/", import.meta.url))).replace(/\/+$/, "");

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
/** Runs `body` with a server on 127.0.0.1 (port 0) and always shuts it down. */
async function withServer(
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
async function withDataDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "download_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every file below `dir`, relative, sorted. */
async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) found.push(`${path}/`, ...(await listTree(dir, `${path}/`)));
    else found.push(path);
  }
  return found.sort();
}

const PAYLOAD = noise(50_000);

/** A data set of one kept file, `payload.bin`, served at `base`. */
function plainSource(urls: string[], facts: Partial<SourceFile> = {}): DataSource {
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
async function failure(
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

// ---- archives ----------------------------------------------------------------------------------

const LONG_PATH = `top/${"deep/".repeat(25)}leaf.txt`;
const MEMBERS: [string, Uint8Array][] = [
  ["top/data/a.bin", noise(70_000, 2)],
  ["top/data/b.txt", text("hello\n")],
  ["top/skip.me", text("not wanted")],
  [LONG_PATH, text("long name")],
];

/** A data set of one archive (`name`, holding `archive`) unpacked through a test `place()`. */
interface Packed {
  readonly source: DataSource;
  readonly archive: Uint8Array;
}

function packed(kind: "tar.gz" | "zip", name: string, archive: Uint8Array, tree = false): Packed {
  const under = MEMBERS.filter(([p]) => p.startsWith("top/data/")).map(([, body]) => sha256(body))
    .sort();
  const source: DataSource = {
    name: "packed",
    title: "test",
    licence: "test",
    dir: "packed",
    files: [{
      name,
      urls: [],
      bytes: archive.length,
      sha256: sha256(archive),
      unpack: {
        kind,
        place: (member) => member.endsWith(".me") ? undefined : member.replace(/^top\//, ""),
        maxBytes: 1 << 20,
      },
    }],
    expect: ["data/a.bin", "data/b.txt"],
    treeDigest: tree
      ? { under: "data/", files: 2, sha256: sha256(text(under.map((d) => `${d}\n`).join(""))) }
      : undefined,
  };
  return { source, archive };
}

/** Puts the archive in a fresh mirror folder and downloads it from there into a fresh data dir. */
async function fromMirror(
  pack: Packed,
  body: (result: Promise<unknown>, dataDir: string) => Promise<void>,
): Promise<void> {
  await withDataDir(async (mirror) => {
    await Deno.writeFile(`${mirror}/${pack.source.files[0].name}`, pack.archive);
    await withDataDir(async (dataDir) => {
      await body(download(pack.source, { dataDir, from: mirror }), dataDir);
    });
  });
}

Deno.test("download: tar.gz and zip (stored and deflated) unpack through place(), with tree digests", async () => {
  const packs = [
    packed("tar.gz", "p.tgz", await compress(tar(MEMBERS), "gzip"), true),
    packed("zip", "p.zip", await zip(MEMBERS), true),
    packed("zip", "s.zip", await zip(MEMBERS, true)),
  ];
  for (const pack of packs) {
    await fromMirror(pack, async (result, dataDir) => {
      const { files } = (await result) as { files: string[] };
      assert.deepEqual([...files].sort(), ["data/a.bin", "data/b.txt", LONG_PATH.slice(4)]);
      assert.deepEqual(await Deno.readFile(`${dataDir}/packed/data/a.bin`), MEMBERS[0][1]);
      assert.equal(await Deno.readTextFile(`${dataDir}/packed/${LONG_PATH.slice(4)}`), "long name");
      assert.ok(!(await listTree(dataDir)).some((path) => path.startsWith(".inkling")));
    });
  }
});

Deno.test("download: corrupt archives, escaping paths and a wrong tree digest fail with FormatError, nothing placed", async () => {
  const zipped = await zip(MEMBERS);
  const corruptZip = zipped.slice();
  corruptZip[200] ^= 0xff; // inside a.bin's deflate data
  const gz = await compress(tar(MEMBERS), "gzip");
  const corruptGz = gz.slice();
  corruptGz.fill(0x55, 40, 400);
  const withTree = packed("tar.gz", "p.tgz", gz, true);
  const plain = packed("tar.gz", "p.tgz", gz);
  const cases: [Packed, RegExp][] = [
    [
      packed("zip", "p.zip", corruptZip),
      /p\.zip: member top\/data\/a\.bin: (CRC-32 mismatch|corrupt deflate data|\d+ bytes, the directory says)/,
    ],
    [packed("tar.gz", "p.tgz", corruptGz), /p\.tgz: unreadable after \d+ bytes \(corrupt/],
    [
      packed("tar.gz", "p.tgz", await compress(tar([["../evil.txt", text("x")]]), "gzip")),
      /member path "\.\.\/evil\.txt" points outside/,
    ],
    [
      packed("zip", "p.zip", zipped.slice(0, zipped.length - 30)),
      /p\.zip: (not a ZIP archive|central directory)/,
    ],
    [
      {
        ...withTree,
        source: {
          ...withTree.source,
          treeDigest: { ...withTree.source.treeDigest!, sha256: "0".repeat(64) },
        },
      },
      /packed: the 2 files unpacked under data\/ do not match/,
    ],
    [
      { ...plain, source: { ...plain.source, expect: ["data/missing.bin"] } },
      /packed: the download lacks 1 expected file\(s\): data\/missing\.bin/,
    ],
  ];
  for (const [pack, pattern] of cases) {
    await fromMirror(pack, async (result, dataDir) => {
      await failure(result, FormatError, pattern);
      assert.deepEqual(await listTree(dataDir), [], String(pattern));
    });
  }
});

Deno.test("registry: every source is well-formed; unknown names are refused", async () => {
  for (const [key, source] of Object.entries(SOURCES)) {
    assert.equal(source.name, key);
    assert.ok(source.expect.length > 0 && source.files.length > 0, key);
    for (const file of source.files) {
      assert.ok(!file.name.includes("/") && file.urls.length > 0, `${key}/${file.name}`);
      for (const url of file.urls) assert.match(url, /^https?:\/\/[^/]+\/.*/);
      if (file.sha256 !== undefined) assert.match(file.sha256, /^[0-9a-f]{64}$/);
      if (file.md5 !== undefined) assert.match(file.md5, /^[0-9a-f]{32}$/);
    }
  }
  await withDataDir(async (dataDir) => {
    await failure(
      download("cifar10", { dataDir }),
      InklingError,
      /unknown data set "cifar10" \(known: mnist, emnist, nist36, flowers17, unipen\)/,
    );
  });
});

Deno.test("registry: MNIST from the shared copy verifies (size, SHA-256, MD5, gunzipped SHA-256) except the reconstructed train images", async () => {
  const mirror = `${DATA_DIR}/mnist`;
  assert.ok(
    (await Deno.stat(mirror).catch(() => undefined))?.isDirectory,
    `test data missing: ${mirror}`,
  );
  const identical = SOURCES.mnist.files.filter((file) => !file.name.startsWith("train-images"));
  const source: DataSource = {
    ...SOURCES.mnist,
    files: identical,
    expect: identical.map((file) => file.name),
  };
  await withDataDir(async (dataDir) => {
    const result = await download(source, { dataDir, from: mirror });
    assert.deepEqual([...result.files].sort(), identical.map((file) => file.name).sort());
    const trainImages: DataSource = {
      ...SOURCES.mnist,
      files: SOURCES.mnist.files.slice(0, 1),
      expect: ["train-images-idx3-ubyte.gz"],
    };
    await failure(
      download(trainImages, { dataDir, from: mirror }),
      FormatError,
      /got 9719438 bytes, expected 9912422/,
    );
    // Without the size and MD5 of the official .gz, its gunzipped content is what identifies it.
    const byContent: DataSource = {
      ...trainImages,
      files: [{ ...trainImages.files[0], bytes: undefined, md5: undefined }],
    };
    assert.deepEqual((await download(byContent, { dataDir, from: mirror })).files, [
      "train-images-idx3-ubyte.gz",
    ]);
    assert.deepEqual(await listTree(`${dataDir}/mnist`), [
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
    ]);
  });
});
