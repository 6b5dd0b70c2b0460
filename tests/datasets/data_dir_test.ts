import assert from "node:assert/strict";
import { InklingError } from "../../autograd/errors.ts";
import {
  CACHE_DIR_ENV,
  DATA_DIR_ENV,
  resolveCacheDir,
  resolveDataDir,
} from "../../datasets/data_dir.ts";
import { resolveUnipenDir } from "../../datasets/builders/mod.ts";
import { loadNist36Source } from "../../datasets/nist36_source.ts";

const REPO = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const SHARED_DATA = new URL("../../../shared/data", import.meta.url).pathname;
const ENV_NAMES = [DATA_DIR_ENV, CACHE_DIR_ENV, "XDG_CACHE_HOME", "HOME"];

/** Runs `body` with the given environment and working directory, restoring both afterwards. */
async function withEnv(
  env: Record<string, string | undefined>,
  cwd: string,
  body: () => Promise<void>,
): Promise<void> {
  const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, Deno.env.get(name)]));
  const savedCwd = Deno.cwd();
  try {
    for (const name of ENV_NAMES) {
      const value = name in env ? env[name] : saved[name];
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
    Deno.chdir(cwd);
    await body();
  } finally {
    Deno.chdir(savedCwd);
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

Deno.test("resolveDataDir: option beats env beats ../shared/data", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${tmp}/a`);
    await Deno.mkdir(`${tmp}/b`);
    await withEnv({ [DATA_DIR_ENV]: `${tmp}/b` }, REPO, async () => {
      assert.equal(await resolveDataDir({ dataDir: `${tmp}/a` }), `${tmp}/a`);
      assert.equal(await resolveDataDir(), `${tmp}/b`);
    });
    await withEnv({ [DATA_DIR_ENV]: undefined }, REPO, async () => {
      assert.equal(await resolveDataDir(), SHARED_DATA);
    });
    // Relative paths resolve against the working directory.
    await withEnv({ [DATA_DIR_ENV]: "b/../a" }, tmp, async () => {
      assert.equal(await resolveDataDir(), `${tmp}/a`);
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("resolveDataDir: clear errors when nothing is found or the chosen directory is missing", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${tmp}/work`);
    await withEnv({ [DATA_DIR_ENV]: undefined }, `${tmp}/work`, async () => {
      await assert.rejects(resolveDataDir(), (error: Error) => {
        assert.ok(error instanceof InklingError);
        assert.match(error.message, /no data directory: pass \{ dataDir \}, set INKLING_DATA_DIR=/);
        assert.ok(error.message.includes(`${tmp}/shared/data`), error.message);
        assert.match(error.message, /mnist\/ with train-images-idx3-ubyte\.gz/);
        return true;
      });
    });
    await withEnv({ [DATA_DIR_ENV]: `${tmp}/nope` }, REPO, async () => {
      await assert.rejects(
        resolveDataDir(),
        new RegExp(`data directory ${tmp}/nope \\(from \\$INKLING_DATA_DIR\\) does not exist`),
      );
      await assert.rejects(
        resolveDataDir({ dataDir: `${tmp}/gone` }),
        /\(from the dataDir option\) does not exist/,
      );
    });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("resolveCacheDir: option > INKLING_CACHE_DIR > XDG_CACHE_HOME/inkling > ~/.cache/inkling, created on demand", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await withEnv(
      { [CACHE_DIR_ENV]: `${tmp}/env`, XDG_CACHE_HOME: `${tmp}/xdg`, HOME: `${tmp}/home` },
      REPO,
      async () => {
        assert.equal(await resolveCacheDir({ cacheDir: `${tmp}/opt/deep` }), `${tmp}/opt/deep`);
        assert.ok((await Deno.stat(`${tmp}/opt/deep`)).isDirectory);
        assert.equal(await resolveCacheDir(), `${tmp}/env`);
      },
    );
    await withEnv(
      { [CACHE_DIR_ENV]: undefined, XDG_CACHE_HOME: `${tmp}/xdg`, HOME: `${tmp}/home` },
      REPO,
      async () => {
        assert.equal(await resolveCacheDir(), `${tmp}/xdg/inkling`);
      },
    );
    await withEnv(
      { [CACHE_DIR_ENV]: undefined, XDG_CACHE_HOME: "", HOME: `${tmp}/home` },
      REPO,
      async () => {
        assert.equal(await resolveCacheDir(), `${tmp}/home/.cache/inkling`);
        assert.ok((await Deno.stat(`${tmp}/home/.cache/inkling`)).isDirectory);
      },
    );
    await Deno.writeTextFile(`${tmp}/file`, "");
    await assert.rejects(
      resolveCacheDir({ cacheDir: `${tmp}/file/sub` }),
      (e: Error) => e instanceof InklingError && /cannot create cache directory/.test(e.message),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("missing data: one line saying which folder and the command that fetches it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      resolveUnipenDir({ dataDir: dir }),
      (error: Error) =>
        error instanceof InklingError && !error.message.includes("\n") &&
        error.message ===
          `${dir}/unipen-train_r01_v07: no UNIPEN data (data/1a, 1b, 1c); run ` +
            "`npx deno task data get unipen`, or point --data-dir or INKLING_DATA_DIR at a " +
            "data directory that has it",
    );
    await assert.rejects(
      loadNist36Source({ dataDir: dir, cacheDir: `${dir}/cache` }),
      /no UNIPEN data .*npx deno task data get unipen/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
