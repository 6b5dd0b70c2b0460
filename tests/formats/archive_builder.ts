/**
 * Builders of small tar and ZIP archives for tests, written from the format
 * specifications (ustar headers with pax `path` records; ZIP local headers,
 * central directory and end record), so the readers are checked against
 * bytes they did not produce themselves.
 *
 * @module
 */

import { crc32 } from "../../formats/crc32.ts";
import { concatBytes } from "../../formats/decompress.ts";

/** UTF-8 bytes of `s`. */
export const text = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

/** Deterministic pseudo-random bytes (incompressible, so compressed sizes are realistic). */
export function noise(n: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** What a test member is (default: a regular file). */
export interface MemberOptions {
  /** Kind of member; a symlink's body is ignored in favour of `linkTo`. */
  readonly type?: "file" | "directory" | "symlink";
  /** Target of a symlink member. */
  readonly linkTo?: string;
}

/** A test member: path, body and, optionally, its kind. */
export type Member =
  | readonly [string, Uint8Array]
  | readonly [string, Uint8Array, MemberOptions];

const TAR_TYPEFLAGS = { file: "0", directory: "5", symlink: "2" } as const;

/** A 512-byte ustar header for a member `name` of `size` bytes. */
function tarHeader(
  name: string,
  { size, typeflag, linkTo = "" }: { size: number; typeflag: string; linkTo?: string },
): Uint8Array {
  const block = new Uint8Array(512);
  const put = (offset: number, value: string) => block.set(text(value), offset);
  put(0, name);
  put(100, "0000644\0");
  put(108, "0000000\0");
  put(116, "0000000\0");
  put(124, size.toString(8).padStart(11, "0") + "\0");
  put(136, "00000000000\0");
  put(148, "        "); // the checksum counts its own field as spaces
  put(156, typeflag);
  put(157, linkTo);
  put(257, "ustar\u000000");
  const sum = block.reduce((a, b) => a + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  return block;
}

/**
 * A tar archive of `members`; paths over 100 bytes or holding a NUL (which a
 * header field cannot) get a pax `path` record first.
 */
export function tar(members: readonly Member[]): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const add = (name: string, body: Uint8Array, kind: { typeflag: string; linkTo?: string }) => {
    parts.push(
      tarHeader(name, { size: body.length, ...kind }),
      body,
      new Uint8Array((512 - (body.length % 512)) % 512),
    );
  };
  for (const [path, given, options = {}] of members) {
    const type = options.type ?? "file";
    const body = type === "file" ? given : new Uint8Array(0);
    if (path.length > 100 || path.includes("\0")) {
      const record = ` path=${path}\n`;
      let length = record.length + 1;
      while (String(length).length + record.length !== length) length++;
      add("PaxHeader", text(`${length}${record}`), { typeflag: "x" });
    }
    const name = path.slice(0, 100).replaceAll("\0", "_"); // the pax record holds the real name
    add(name, body, { typeflag: TAR_TYPEFLAGS[type], linkTo: options.linkTo });
  }
  parts.push(new Uint8Array(1024)); // end-of-archive marker
  return concatBytes(parts) as Uint8Array<ArrayBuffer>;
}

/** Little-endian fields of the given byte widths. */
function fields(...values: [number, 2 | 4][]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, [, width]) => n + width, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [value, width] of values) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
    at += width;
  }
  return out;
}

/**
 * Unix mode bits in the high half of the external attributes (what Info-ZIP
 * writes, with "version made by" naming Unix), which is how a zip marks links.
 */
const ZIP_MODES = { file: 0o100644, directory: 0o40755, symlink: 0o120777 } as const;

/**
 * A ZIP archive of `members`, deflated unless `stored`. A symlink's body is
 * its target (as Info-ZIP stores it); a directory's path gets a trailing `/`.
 */
export async function zip(
  members: readonly Member[],
  stored = false,
): Promise<Uint8Array<ArrayBuffer>> {
  const local: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [given, content, options = {}] of members) {
    const type = options.type ?? "file";
    const path = type === "directory" ? `${given.replace(/\/+$/, "")}/` : given;
    const body = type === "symlink"
      ? text(options.linkTo ?? "")
      : type === "directory"
      ? new Uint8Array(0)
      : content;
    const data = stored ? body : await deflateRaw(body);
    const name = text(path);
    // version needed, flags, method, time, date, crc, compressed size, size, name length, extra length
    const common = fields(
      [20, 2],
      [0, 2],
      [stored ? 0 : 8, 2],
      [0, 2],
      [0, 2],
      [crc32(body), 4],
      [
        data.length,
        4,
      ],
      [body.length, 4],
      [name.length, 2],
      [0, 2],
    );
    // signature, version made by, common, comment length, disk, internal and external attributes, offset
    // version made by: 3 (Unix) in the high byte, so readers look at the mode bits.
    central.push(
      fields([0x02014b50, 4], [(3 << 8) | 20, 2]),
      common,
      fields([0, 2], [0, 2], [0, 2], [(ZIP_MODES[type] << 16) >>> 0, 4], [offset, 4]),
      name,
    );
    const header = concatBytes([fields([0x04034b50, 4]), common, name]);
    local.push(header, data);
    offset += header.length + data.length;
  }
  const directory = concatBytes(central);
  const end = fields(
    [0x06054b50, 4],
    [0, 2],
    [0, 2],
    [members.length, 2],
    [members.length, 2],
    [
      directory.length,
      4,
    ],
    [offset, 4],
    [0, 2],
  );
  return concatBytes([...local, directory, end]) as Uint8Array<ArrayBuffer>;
}

async function deflateRaw(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("deflate-raw"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
