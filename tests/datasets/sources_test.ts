/** The data-set registry: every source is well-formed, and MNIST verifies against the shared copy. */

import assert from "node:assert/strict";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { download } from "../../datasets/download.ts";
import { type DataSource, SOURCES } from "../../datasets/sources.ts";
import { failure, listTree, withDataDir } from "./download_helpers.ts";
import { DATA_DIR } from "../shared_data.ts";

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
