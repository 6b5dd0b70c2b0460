/**
 * Fuzz targets of the archive readers: tar, tar.gz and ZIP files are read
 * member by member (bodies read or skipped) and then unpacked with
 * `extractArchive` into a scratch folder, which must stay the only place
 * anything is written.
 *
 * @module
 */

import { compress, MAX_DEFLATE_RATIO } from "../../formats/decompress.ts";
import {
  type ArchiveEntry,
  type ArchiveFormat,
  extractArchive,
  readTar,
  readZip,
} from "../../formats/archive/mod.ts";
import { noise, tar, text, zip } from "../formats/archive_builder.ts";
import { latin1, type Mutant, mutate, pick } from "./mutate.ts";
import type { FuzzTarget, PreparedTarget } from "./target.ts";
import { removeDir, scratchDir } from "./target.ts";

const MEMBERS: [string, Uint8Array][][] = [
  [["top/a.txt", text("hello\n")], ["top/dir/b.bin", noise(700, 3)], ["top/empty", text("")]],
  [[`deep/${"long/".repeat(24)}leaf.txt`, text("long name")], ["z.txt", text("z".repeat(300))]],
  [["one.bin", noise(1500, 9)]],
];

const TAR_DICTIONARY = [
  "../",
  "/etc/",
  "C:\\",
  "ustar\u000000",
  "00000000000\u0000",
  "77777777777\u0000",
  "\u0080\u0000\u0000\u0000\u00ff\u00ff\u00ff\u00ff",
  "18 path=../../x\n",
  "30 size=99999999999999999999\n",
  "L",
  "x",
  "g",
  "2",
  "5",
].map(latin1);

const ZIP_DICTIONARY = [
  "PK\u0003\u0004",
  "PK\u0001\u0002",
  "PK\u0005\u0006",
  "../",
  "/etc/passwd",
  "C:/",
  "\u00ff\u00ff\u00ff\u00ff",
  "\u0001\u0000",
  "\u0008\u0000",
].map(latin1);

/** Reads every member (bodies of every other case skipped unread); returns the body bytes read. */
async function readAll(entries: AsyncIterable<ArchiveEntry>, readBodies: boolean): Promise<number> {
  let produced = 0;
  for await (const entry of entries) {
    if (!readBodies && entry.size > 100) continue;
    for await (const piece of entry.body()) produced += piece.length;
  }
  return produced;
}

/** Unpacks `path` into `dir/out` and checks that nothing landed beside it, whatever the outcome. */
async function extractConfined(dir: string, path: string, format: ArchiveFormat): Promise<void> {
  const out = `${dir}/out`;
  const extracting = extractArchive(path, out, { format, what: `fuzz.${format}` });
  const outcome = await extracting.then(() => undefined, (error: unknown) => ({ error }));
  const beside = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  await removeDir(out);
  const stray = beside.filter((name) => name !== "out" && name !== "in").sort();
  for (const name of stray) await removeDir(`${dir}/${name}`);
  if (stray.length > 0) {
    throw new Error(`extractArchive wrote outside its folder: ${stray.join(", ")}`);
  }
  if (outcome) throw outcome.error;
}

function archiveTarget(
  format: ArchiveFormat,
  build: () => Promise<{ seeds: Uint8Array[]; inner?: Uint8Array[] }>,
  description: string,
): FuzzTarget {
  const dictionary = format === "zip" ? ZIP_DICTIONARY : TAR_DICTIONARY;
  return {
    name: format,
    description,
    boundText: format === "tar" ? "bodies read ≤ input" : "bodies read ≤ 1032 × input",
    async prepare(): Promise<PreparedTarget> {
      const { seeds, inner } = await build();
      const dir = await scratchDir(format);
      const path = `${dir}/in`;
      return {
        seeds,
        async mutant(rng): Promise<Mutant> {
          if (inner && rng.next() < 0.5) {
            // Damage behind a valid gzip layer reaches the tar reader itself.
            const damaged = mutate(pick(rng, inner), rng, { others: inner, dictionary });
            return { bytes: await compress(damaged.bytes, "gzip"), how: `gzip(${damaged.how})` };
          }
          return mutate(pick(rng, seeds), rng, { others: seeds, dictionary });
        },
        async run(bytes, { index }) {
          await Deno.writeFile(path, bytes);
          const readBodies = index % 2 === 0;
          const produced = format === "zip"
            ? await readAll(readZip(path, "fuzz.zip"), readBodies)
            : await readAll(readTarBytes(bytes, format), readBodies);
          await extractConfined(dir, path, format);
          return produced;
        },
        errorPrefix: "fuzz.",
        bound: (n) => (format === "tar" ? n : MAX_DEFLATE_RATIO * n),
        close: () => removeDir(dir),
      };
    },
  };
}

function readTarBytes(bytes: Uint8Array, format: ArchiveFormat): AsyncIterable<ArchiveEntry> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream();
  return format === "tar.gz"
    ? readTar(stream.pipeThrough(new DecompressionStream("gzip")), "fuzz.tar.gz")
    : readTar(stream, "fuzz.tar");
}

/** The archive targets. */
export const ARCHIVE_TARGETS: readonly FuzzTarget[] = [
  archiveTarget(
    "tar",
    () => Promise.resolve({ seeds: MEMBERS.map(tar) }),
    "tar files through readTar, then extractArchive into a scratch folder",
  ),
  archiveTarget("tar.gz", async () => {
    const inner = MEMBERS.map(tar);
    return { seeds: await Promise.all(inner.map((t) => compress(t, "gzip"))), inner };
  }, "gzip tar files (damaged gzip, damage behind gzip) through readTar and extractArchive"),
  archiveTarget("zip", async () => ({
    seeds: [
      ...await Promise.all(MEMBERS.map((m) => zip(m))),
      ...await Promise.all(MEMBERS.map((m) => zip(m, true))),
    ],
  }), "ZIP files (deflated and stored) through readZip, then extractArchive"),
];
