/** Archive downloads (tar.gz, zip): unpacking through place(), tree digests, corrupt archives. */

import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { compress } from "../../formats/decompress.ts";
import { download } from "../../datasets/download.ts";
import type { DataSource } from "../../datasets/sources.ts";
import { noise, tar, text, zip } from "../formats/archive_builder.ts";
import { failure, listTree, sha256, withDataDir } from "./download_helpers.ts";

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
