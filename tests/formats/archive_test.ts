import assert from "node:assert/strict";
import { FormatError } from "../../autograd/errors.ts";
import { crc32 } from "../../formats/crc32.ts";
import {
  digestChunks,
  extractArchive,
  gunzipPieces,
  readTar,
  readZip,
  safeMemberPath,
} from "../../formats/archive/mod.ts";
import { compress, concatBytes } from "../../formats/decompress.ts";
import { noise, tar, text, zip } from "./archive_builder.ts";

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
