/** File helpers: atomic writes clear the temp files of killed writers; output folders are checked before work. */

import assert from "node:assert/strict";
import { checkWritableDir, writeFileAtomic } from "../../formats/files.ts";
import { InklingError } from "../../autograd/errors.ts";

/** A pid with no running process (so its temp files are stale). */
async function deadPid(): Promise<number> {
  for (let pid = 4_000_000;; pid--) {
    if (!(await Deno.stat(`/proc/${pid}`).then(() => true, () => false))) return pid;
  }
}

Deno.test("writeFileAtomic removes temp files of writers that died mid-save, and no others", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/model.safetensors`;
  const stale = `${path}.${await deadPid()}.0123abcd.tmp`;
  const ours = `${path}.${Deno.pid}.89abcdef.tmp`;
  const other = `${dir}/other.bin.${await deadPid()}.0123abcd.tmp`;
  const lookalike = `${path}.notes.tmp`;
  for (const file of [stale, ours, other, lookalike]) await Deno.writeTextFile(file, "partial");
  await writeFileAtomic(path, new TextEncoder().encode("complete"));
  assert.equal(await Deno.readTextFile(path), "complete");
  const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  const name = (p: string) => p.slice(dir.length + 1);
  assert.deepEqual(left, [name(path), name(ours), name(other), name(lookalike)].sort());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkWritableDir accepts a new folder under a writable one without creating it", async () => {
  const dir = await Deno.makeTempDir();
  await checkWritableDir(`${dir}/a/b/c`, { what: "--out" });
  await checkWritableDir(dir);
  assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing created, no probe left");
  await Deno.writeTextFile(`${dir}/file`, "x");
  const cases: [string, RegExp][] = [
    [`${dir}/file`, /^--out .*\/file: is a file, not a folder$/],
    [`${dir}/file/sub/dir`, /^--out .*\/file\/sub\/dir: .*\/file is a file, not a folder$/],
    [
      "/proc/inkling-out",
      /^--out \/proc\/inkling-out: cannot (use this folder|write in \/proc) \(/,
    ],
  ];
  for (const [path, pattern] of cases) {
    await assert.rejects(
      checkWritableDir(path, { what: "--out" }),
      (e) => e instanceof InklingError && pattern.test(e.message),
      path,
    );
  }
  assert.equal(await Deno.readTextFile(`${dir}/file`), "x");
  await Deno.remove(dir, { recursive: true });
});
