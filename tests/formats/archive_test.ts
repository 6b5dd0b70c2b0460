import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { crc32 } from "../../formats/crc32.ts";
import { SOURCES } from "../../datasets/sources.ts";
import {
  DEFAULT_MAX_UNPACKED_BYTES,
  digestChunks,
  extractArchive,
  gunzipPieces,
  readTar,
  readZip,
  safeMemberPath,
} from "../../formats/archive/mod.ts";
import { compress, concatBytes } from "../../formats/decompress.ts";
import { type Member, noise, tar, text, zip } from "./archive_builder.ts";

const LONG_PATH = `top/${"deep/".repeat(25)}leaf.txt`;
const MEMBERS: [string, Uint8Array][] = [
  ["top/a.bin", noise(70_000, 2)],
  ["top/b.txt", text("hello\n")],
  [LONG_PATH, text("long name")],
];

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "archive_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every path under `dir`, sorted; folders end in `/`, links in `@`. */
async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    out.push(path + (entry.isSymlink ? "@" : entry.isDirectory ? "/" : ""));
    if (entry.isDirectory) out.push(...await listTree(`${dir}/${entry.name}`, `${path}/`));
  }
  return out.sort();
}

/** Path → content of every member of a zip file, read through `readZip`. */
async function unzipAll(path: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for await (const entry of readZip(path)) {
    const pieces: Uint8Array[] = [];
    for await (const piece of entry.body()) pieces.push(piece.slice());
    out.set(entry.path, concatBytes(pieces));
  }
  return out;
}

Deno.test("archive: crc32 gives the standard check value, also in pieces", () => {
  assert.equal(crc32(text("123456789")), 0xcbf43926);
  assert.equal(crc32(text("56789"), crc32(text("1234"))), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

Deno.test("archive: readTar streams members (pax long paths, unread bodies skipped) and checks headers", async () => {
  const archive = tar(MEMBERS);
  const seen: [string, number, string][] = [];
  for await (const entry of readTar(new Blob([archive]).stream(), "t.tar")) {
    // Read only the small member; the others must be skipped correctly.
    const body = entry.size < 100
      ? new TextDecoder().decode(concatBytes(await Array.fromAsync(entry.body())))
      : "";
    seen.push([entry.path, entry.size, body]);
  }
  assert.deepEqual(seen, [["top/a.bin", 70_000, ""], ["top/b.txt", 6, "hello\n"], [
    LONG_PATH,
    9,
    "long name",
  ]]);
  const bad = archive.slice();
  bad[3] ^= 0x20; // a letter of the first name
  await assert.rejects(async () => {
    for await (const _ of readTar(new Blob([bad]).stream(), "t.tar"));
  }, /^FormatError: t\.tar: header at byte 0: checksum \d+ does not match \d+/);
  await assert.rejects(async () => {
    for await (const entry of readTar(new Blob([archive.slice(0, 3000)]).stream(), "t.tar")) {
      for await (const _ of entry.body());
    }
  }, /t\.tar: ends after 3000 bytes, inside a 70000-byte record/);
});

Deno.test("archive: readZip inflates deflated and copies stored members, checking size and CRC", async () => {
  await withDir(async (dir) => {
    for (const stored of [false, true]) {
      await Deno.writeFile(`${dir}/a.zip`, await zip(MEMBERS, stored));
      const members = await unzipAll(`${dir}/a.zip`);
      assert.deepEqual([...members.keys()], MEMBERS.map(([path]) => path));
      for (const [path, body] of MEMBERS) assert.deepEqual(members.get(path), body, path);
    }
    // A flipped byte in a stored member passes inflation but not the CRC.
    const stored = await zip([["x.bin", noise(1000)]], true);
    stored[40] ^= 1;
    await Deno.writeFile(`${dir}/crc.zip`, stored);
    await assert.rejects(unzipAll(`${dir}/crc.zip`), /crc\.zip: member x\.bin: CRC-32 mismatch/);
  });
});

Deno.test("archive: readZip refuses non-zips, encryption, unknown methods and ZIP64 with FormatErrors", async () => {
  await withDir(async (dir) => {
    const good = await zip([["x.txt", text("abc")]], true);
    const central = 30 + "x.txt".length + 3; // local header + name + stored data
    const variants: [string, (bytes: Uint8Array) => void, RegExp][] = [
      ["plain.zip", (b) => b.fill(0x41), /plain\.zip: not a ZIP archive/],
      [
        "enc.zip",
        (b) => b.set([1], central + 8),
        /enc\.zip: member x\.txt: encrypted members are not supported/,
      ],
      [
        "method.zip",
        (b) => b.set([12], central + 10),
        /method\.zip: member x\.txt: compression method 12/,
      ],
      [
        "zip64.zip",
        (b) => b.set([0xff, 0xff, 0xff, 0xff], b.length - 6),
        /zip64\.zip: ZIP64 archives are not supported/,
      ],
    ];
    for (const [name, damage, pattern] of variants) {
      const bytes = good.slice();
      damage(bytes);
      await Deno.writeFile(`${dir}/${name}`, bytes);
      await assert.rejects(unzipAll(`${dir}/${name}`), (error: Error) => {
        assert.ok(error instanceof FormatError, `${name}: ${error}`);
        assert.match(error.message, pattern);
        return true;
      });
    }
  });
});

Deno.test("archive: extractArchive maps members, refuses escaping paths and caps the unpacked size", async () => {
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/a.tgz`, await compress(tar(MEMBERS), "gzip"));
    const written = await extractArchive(`${dir}/a.tgz`, `${dir}/out`, {
      format: "tar.gz",
      place: (member) => (member.endsWith(".bin") ? undefined : member.replace(/^top\//, "")),
    });
    assert.deepEqual([...written.keys()], ["b.txt", LONG_PATH.slice(4)]);
    assert.equal(await Deno.readTextFile(`${dir}/out/b.txt`), "hello\n");
    await assert.rejects(
      extractArchive(`${dir}/a.tgz`, `${dir}/out2`, { format: "tar.gz", maxBytes: 1000 }),
      /a\.tgz: unpacks to more than the 1000 bytes allowed/,
    );
    await Deno.writeFile(
      `${dir}/evil.tgz`,
      await compress(tar([["../evil.txt", text("x")]]), "gzip"),
    );
    await assert.rejects(
      extractArchive(`${dir}/evil.tgz`, `${dir}/out3`, { format: "tar.gz" }),
      /evil\.tgz: member path "\.\.\/evil\.txt" points outside the archive folder/,
    );
    assert.equal(await Deno.stat(`${dir}/evil.txt`).catch(() => null), null);
  });
  assert.equal(safeMemberPath("./a//b/./c", "t"), "a/b/c");
  assert.throws(() => safeMemberPath("/etc/passwd", "t"), FormatError);
  assert.throws(() => safeMemberPath("C:\\x", "t"), FormatError);
});

Deno.test("archive: gunzipPieces decompresses as a stream; corrupt gzip is a FormatError naming the file", async () => {
  await withDir(async (dir) => {
    const payload = noise(100_000, 5);
    const gz = await compress(payload, "gzip");
    await Deno.writeFile(`${dir}/ok.gz`, gz);
    const digest = await digestChunks(gunzipPieces(`${dir}/ok.gz`));
    assert.equal(digest.bytes, 100_000);
    const bad = gz.slice();
    bad.fill(0x55, 20, 200);
    await Deno.writeFile(`${dir}/bad.gz`, bad);
    await assert.rejects(digestChunks(gunzipPieces(`${dir}/bad.gz`)), /bad\.gz: corrupt gzip data/);
  });
});

/**
 * Extracts `members` (as a tar, or a zip) from `<root>/a.<format>` into
 * `<root>/out` after `setup(root)`, expects a FormatError naming the archive
 * and matching `pattern` within a second, runs `after(root)` and returns what
 * is left under `root`.
 */
async function refused(
  members: readonly Member[],
  pattern: RegExp,
  options: {
    format?: "tar" | "zip";
    setup?: (root: string) => Promise<void>;
    after?: (root: string) => Promise<void>;
    maxBytes?: number;
  } = {},
): Promise<string[]> {
  const format = options.format ?? "tar";
  const root = await Deno.makeTempDir({ prefix: "archive_test_" });
  try {
    await Deno.mkdir(`${root}/outside`);
    await Deno.writeFile(
      `${root}/a.${format}`,
      format === "zip" ? await zip(members) : tar(members),
    );
    await options.setup?.(root);
    const started = performance.now();
    await assert.rejects(
      extractArchive(`${root}/a.${format}`, `${root}/out`, { format, maxBytes: options.maxBytes }),
      (error: Error) => {
        assert.ok(error instanceof FormatError, `${pattern}: ${error.stack}`);
        assert.ok(error.message.startsWith(`${root}/a.${format}: `), error.message);
        assert.match(error.message, pattern);
        return true;
      },
    );
    // Each reproducer of issue 11 ran in a few milliseconds; a second means something loops.
    assert.ok(performance.now() - started < 1000, `${pattern}: too slow`);
    await options.after?.(root);
    return (await listTree(root)).filter((path) => path !== `a.${format}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const X = text("x");

Deno.test("extractArchive: members contradicting each other or passing through links are FormatErrors, nothing left", async () => {
  const link: Member = ["link", X, { type: "symlink", linkTo: "../outside" }];
  const cases: [readonly Member[], RegExp, ("tar" | "zip")?][] = [
    [[["a", X], ["a/b", X]], /member a\/b lies below a, which is a file in the archive/],
    [[["a/b", X], ["a", X]], /member a is also a folder in the archive/],
    [[["a", X, { type: "directory" }], ["a", X]], /member a is also a folder/],
    [[["a", X, { type: "directory" }], ["a", X]], /member a is also a folder/, "zip"],
    [[["d", X], ["d", text("y")]], /member d appears twice in the archive/],
    [[link, ["link/x", X]], /member link\/x lies below link, which is a link or special/],
    [[link, ["link/x", X]], /member link\/x lies below link, which is a link or special/, "zip"],
  ];
  for (const [members, pattern, format] of cases) {
    // Not even the output folder stays: it did not exist before.
    assert.deepEqual(await refused(members, pattern, { format }), ["outside/"], String(pattern));
  }
});

Deno.test("extractArchive: member paths naming the folder itself or holding a NUL are refused; a ./ folder entry is not", async () => {
  const cases: [readonly Member[], RegExp, ("tar" | "zip")?][] = [
    [[[".", X]], /member path "\." names the archive folder itself/],
    [[["./", X]], /member path "\.\/" names the archive folder itself/],
    [[["a/..", X]], /member path "a\/\.\." points outside the archive folder/],
    [[["ok", X], ["a\0b", X]], /member path "a\\u0000b" contains a NUL byte/],
    [[["a\0b", X]], /member path "a\\u0000b" contains a NUL byte/, "zip"],
  ];
  for (const [members, pattern, format] of cases) {
    assert.deepEqual(await refused(members, pattern, { format }), ["outside/"], String(pattern));
  }
  assert.throws(() => safeMemberPath("a\0b", "t"), /t: member path "a\\u0000b" contains a NUL/);
  assert.throws(() => safeMemberPath("./", "t"), /names the archive folder itself/);
  // `tar -C dir .` starts with a "./" folder entry: that is the output folder itself, not an error.
  await withDir(async (dir) => {
    await Deno.writeFile(`${dir}/dot.tar`, tar([["./", X, { type: "directory" }], ["./x", X]]));
    const written = await extractArchive(`${dir}/dot.tar`, `${dir}/out`, { format: "tar" });
    assert.deepEqual([...written.keys()], ["x"]);
    assert.deepEqual(await listTree(`${dir}/out`), ["x"]);
  });
});

Deno.test("extractArchive: never writes through a link or over a folder already in the output folder", async () => {
  const linkDir = async (root: string) => {
    await Deno.mkdir(`${root}/out`);
    await Deno.symlink(`${root}/outside`, `${root}/out/link`);
  };
  assert.deepEqual(
    await refused([["first", X], ["link/x", X]], /link\/x: .*\/out\/link is a symbolic link/, {
      setup: linkDir,
    }),
    ["out/", "out/link@", "outside/"], // "first" was not moved in either: the paths are checked first
  );
  const linkFile = async (root: string) => {
    await Deno.mkdir(`${root}/out`);
    await Deno.writeTextFile(`${root}/outside/f`, "old");
    await Deno.symlink(`${root}/outside/f`, `${root}/out/f`);
  };
  assert.deepEqual(
    await refused([["f", X]], /f: .*\/out\/f is a symbolic link/, {
      setup: linkFile,
      after: async (root) => assert.equal(await Deno.readTextFile(`${root}/outside/f`), "old"),
    }),
    ["out/", "out/f@", "outside/", "outside/f"],
  );
  const fileThere = async (root: string) => {
    await Deno.mkdir(`${root}/out/dir`, { recursive: true });
    await Deno.writeTextFile(`${root}/out/sub`, "mine");
  };
  assert.deepEqual(
    await refused([["sub/x", X]], /sub\/x: .*\/out\/sub exists and is not a folder/, {
      setup: fileThere,
    }),
    ["out/", "out/dir/", "out/sub", "outside/"],
  );
  assert.deepEqual(
    await refused([["dir", X]], /dir: .*\/out\/dir exists and is not a regular file/, {
      setup: fileThere,
    }),
    ["out/", "out/dir/", "out/sub", "outside/"],
  );
});

Deno.test("extractArchive: a failure leaves the output folder as it was; success replaces files and keeps the rest", async () => {
  const members: Member[] = [["b.txt", text("new")], ["sub/big.bin", noise(2000)]];
  const mine = async (root: string) => {
    await Deno.mkdir(`${root}/out`);
    await Deno.writeTextFile(`${root}/out/keep.txt`, "mine");
    await Deno.writeTextFile(`${root}/out/b.txt`, "old");
  };
  const untouched = async (root: string) => {
    assert.equal(await Deno.readTextFile(`${root}/out/keep.txt`), "mine");
    assert.equal(await Deno.readTextFile(`${root}/out/b.txt`), "old");
  };
  for (const format of ["tar", "zip"] as const) {
    // The cap is hit at the second member, after b.txt was written (to the staging folder).
    assert.deepEqual(
      await refused(members, /unpacks to more than the 1000 bytes allowed/, {
        format,
        setup: mine,
        after: untouched,
        maxBytes: 1000,
      }),
      ["out/", "out/b.txt", "out/keep.txt", "outside/"],
    );
    assert.deepEqual(
      await refused(members, /unpacks to more than the 1000 bytes allowed/, {
        format,
        maxBytes: 1000,
      }),
      ["outside/"],
    );
  }
  await withDir(async (dir) => {
    // A corrupt second member: the first one is not left behind either.
    const bad = await zip(members, true);
    bad[30 + "b.txt".length + 3 + 30 + "sub/big.bin".length + 10] ^= 1;
    await Deno.writeFile(`${dir}/bad.zip`, bad);
    await mine(dir);
    await assert.rejects(
      extractArchive(`${dir}/bad.zip`, `${dir}/out`, { format: "zip" }),
      /bad\.zip: member sub\/big\.bin: CRC-32 mismatch/,
    );
    await untouched(dir);
    assert.deepEqual(await listTree(`${dir}/out`), ["b.txt", "keep.txt"]);
    await Deno.writeFile(`${dir}/a.tar`, tar(members));
    const written = await extractArchive(`${dir}/a.tar`, `${dir}/out`, { format: "tar" });
    assert.deepEqual([...written.keys()], ["b.txt", "sub/big.bin"]);
    assert.equal(await Deno.readTextFile(`${dir}/out/b.txt`), "new");
    assert.deepEqual(await listTree(`${dir}/out`), ["b.txt", "keep.txt", "sub/", "sub/big.bin"]);
    await assert.rejects(
      extractArchive(`${dir}/gone.zip`, `${dir}/out2`, { format: "zip" }),
      (error: Error) =>
        error instanceof FormatError && /gone\.zip: cannot open/.test(error.message),
    );
    assert.equal(await Deno.stat(`${dir}/out2`).catch(() => null), null);
  });
});

Deno.test("extractArchive: the default size cap covers every registered data set, and not much more", () => {
  const caps = Object.values(SOURCES).flatMap((source) =>
    source.files.flatMap((file) => "maxBytes" in file.unpack ? [file.unpack.maxBytes] : [])
  );
  assert.ok(caps.length > 0);
  const largest = Math.max(...caps);
  assert.ok(DEFAULT_MAX_UNPACKED_BYTES >= largest, `${DEFAULT_MAX_UNPACKED_BYTES} < ${largest}`);
  assert.ok(
    DEFAULT_MAX_UNPACKED_BYTES <= 2 * largest,
    `${DEFAULT_MAX_UNPACKED_BYTES} > 2 × ${largest}`,
  );
});
