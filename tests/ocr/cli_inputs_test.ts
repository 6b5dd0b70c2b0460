import assert from "node:assert/strict";
import {
  callerDirectory,
  expandInputs,
  readInputImage,
  resolveFrom,
} from "../../ocr/cli_inputs.ts";
import { DATA_DIR } from "../shared_data.ts";

const LETTERS = `${DATA_DIR}/images/02_letters.jpg`;

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "inkling_cli_inputs_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("callerDirectory: INIT_CWD (set by deno task) when present, else the current directory", () => {
  assert.equal(
    callerDirectory((name) => name === "INIT_CWD" ? "/somewhere" : undefined),
    "/somewhere",
  );
  assert.equal(callerDirectory(() => undefined), Deno.cwd());
  assert.equal(callerDirectory(() => ""), Deno.cwd());
});

Deno.test("resolveFrom: relative paths from the caller's directory, absolute ones as given", () => {
  assert.equal(resolveFrom("/home/me/notes", "scan.png"), "/home/me/notes/scan.png");
  assert.equal(resolveFrom("/home/me/notes", "../scan.png"), "/home/me/scan.png");
  assert.equal(resolveFrom("/home/me/notes", "/tmp/scan.png"), "/tmp/scan.png");
  // From the process's own directory the path stays as typed, so messages show it.
  assert.equal(resolveFrom(Deno.cwd(), "./scan.png"), "./scan.png");
});

Deno.test("expandInputs: a folder gives its PNG/JPEG files by name, not its subfolders", async () => {
  await inTempDir(async (dir) => {
    const scans = `${dir}/scans`;
    await Deno.mkdir(`${scans}/sub`, { recursive: true });
    await Deno.mkdir(`${scans}/folder.png`);
    for (const name of ["b.jpg", "A.JPG", "c.jpeg", "d.png", "notes.txt", "sub/inner.png"]) {
      await Deno.writeFile(`${scans}/${name}`, new Uint8Array([1]));
    }
    await Deno.symlink(`${scans}/d.png`, `${scans}/e.png`);
    await Deno.symlink(`${scans}/gone.png`, `${scans}/f.png`); // a broken link is not an image
    await Deno.mkdir(`${dir}/empty`);

    const inputs = await expandInputs(["scans/", "-", "x/missing.jpg", "empty"], { cwd: dir });
    assert.deepEqual(inputs, [
      // Code-point order: capitals first, the same on every machine.
      ...["A.JPG", "b.jpg", "c.jpeg", "d.png", "e.png"].map((name) => ({
        name: `scans/${name}`,
        path: `${dir}/scans/${name}`,
        fromFolder: true,
      })),
      { name: "stdin", stdin: true },
      // Not a folder: taken as a file, and reading it will say what is wrong.
      { name: "x/missing.jpg", path: `${dir}/x/missing.jpg` },
      { name: "empty", error: "empty: the folder holds no .png, .jpg, .jpeg file" },
    ]);
  });
});

Deno.test("readInputImage: files and stdin decoded; errors name the input as given", async () => {
  await inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/notes.jpg`, "not a photo\n");
    const [missing, notes] = await expandInputs(["nope.jpg", "notes.jpg"], { cwd: dir });
    await assert.rejects(readInputImage(missing), {
      message: "nope.jpg: cannot read an image (not found)",
    });
    await assert.rejects(readInputImage(notes), { message: /^notes\.jpg: not a PNG or JPEG/ });

    const [stdin] = await expandInputs(["-"], { cwd: dir });
    const bytes = await Deno.readFile(LETTERS);
    const image = await readInputImage(stdin, { stdin: ReadableStream.from(chunks(bytes)) });
    assert.deepEqual([image.width, image.height], [2743, 1712]);
    const garbage = ReadableStream.from([new TextEncoder().encode("hello")]);
    await assert.rejects(readInputImage(stdin, { stdin: garbage }), { message: /^stdin: / });
    const empty = ReadableStream.from<Uint8Array>([]);
    await assert.rejects(readInputImage(stdin, { stdin: empty }), { message: /^stdin: .*empty/ });
  });
});

/** `bytes` in pieces of 64 KiB, as a pipe delivers them. */
function chunks(bytes: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 65536) parts.push(bytes.subarray(i, i + 65536));
  return parts;
}
