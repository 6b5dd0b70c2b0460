/**
 * Where Inkling's data sets come from: the official archives, what is known
 * about them (size, SHA-256, MD5 — left out where no byte-identical copy was
 * available to measure), and what to unpack where under the data directory.
 * {@linkcode download} in `download.ts` reads this registry.
 *
 * Provenance of the numbers: SHA-256 values were computed here from files in
 * the project's `shared/data` that its MANIFEST records as byte-identical to
 * the official ones (three MNIST `.gz` files; the uncompressed payload of all
 * four MNIST files; the 1,361 files of Flowers 17 `jpg/`). MD5 values are the ones
 * published with torchvision-style loaders (the three MNIST ones that could
 * be measured here match); the MNIST train-images and EMNIST sizes are those
 * printed in such loaders' download logs.
 *
 * @module
 */

import { flowers17ImageName } from "./flowers17/catalog.ts";

/** What happens to a downloaded file once its size and digests check out. */
export type Unpack =
  | {
    /** Keep the file as it is, at `to`. */
    readonly kind: "keep";
    /** Output path relative to the data set folder. */
    readonly to: string;
    /** SHA-256 of the gunzipped content, checked by streaming it through gunzip (for `.gz` files). */
    readonly gunzippedSha256?: string;
  }
  | {
    /** Gunzip the file to `to`. */
    readonly kind: "gunzip";
    /** Output path relative to the data set folder. */
    readonly to: string;
    /** SHA-256 of the gunzipped content. */
    readonly gunzippedSha256?: string;
  }
  | {
    /** Unpack the archive's members. */
    readonly kind: "tar.gz" | "zip";
    /** Output path (relative to the data set folder) of a member path, `undefined` to skip it. */
    readonly place: (member: string) => string | undefined;
    /** Refuse archives unpacking to more than this many bytes. */
    readonly maxBytes: number;
  };

/**
 * Digest of the files unpacked under a folder: SHA-256 of their sorted
 * lower-case hex SHA-256 values, each followed by a newline (what
 * `sha256sum * | cut -d" " -f1 | LC_ALL=C sort | sha256sum` prints).
 */
export interface TreeDigest {
  /** Folder (relative to the data set folder, ending in `/`) whose unpacked files are covered. */
  readonly under: string;
  /** Number of files. */
  readonly files: number;
  /** The digest. */
  readonly sha256: string;
}

/** One file to fetch. */
export interface SourceFile {
  /** File name, also what is looked up in a local mirror folder or under a mirror base URL. */
  readonly name: string;
  /** Official URLs, tried in order. */
  readonly urls: readonly string[];
  /** Size in bytes, when known. */
  readonly bytes?: number;
  /** Lower-case hex SHA-256, when known. */
  readonly sha256?: string;
  /** Lower-case hex MD5, when it is all that is published. */
  readonly md5?: string;
  /** What to do with it. */
  readonly unpack: Unpack;
}

/** A data set: its files and where they go. */
export interface DataSource {
  /** Registry key, e.g. `"mnist"`. */
  readonly name: string;
  /** Human-readable title and origin. */
  readonly title: string;
  /** Licence or terms of use, as stated by the source. */
  readonly licence: string;
  /** Folder under the data directory that receives the outputs (`"."` for the data directory itself). */
  readonly dir: string;
  /** Files to fetch, in order. */
  readonly files: readonly SourceFile[];
  /** Outputs (files or folders, relative to `dir`) that must exist afterwards; all present means "already downloaded". */
  readonly expect: readonly string[];
  /** Check of an unpacked tree, when its files' digests are known. */
  readonly treeDigest?: TreeDigest;
  /** What could not be verified or is assumed. */
  readonly notes?: string;
}

const MNIST_BASES = [
  "https://ossci-datasets.s3.amazonaws.com/mnist/",
  "https://storage.googleapis.com/cvdf-datasets/mnist/",
  "http://yann.lecun.com/exdb/mnist/",
];

function mnistFile(
  name: string,
  facts: { bytes: number; sha256?: string; md5: string; gunzippedSha256: string },
): SourceFile {
  return {
    name,
    urls: MNIST_BASES.map((base) => base + name),
    bytes: facts.bytes,
    sha256: facts.sha256,
    md5: facts.md5,
    unpack: { kind: "keep", to: name, gunzippedSha256: facts.gunzippedSha256 },
  };
}

const MNIST: DataSource = {
  name: "mnist",
  title: "MNIST handwritten digits (Y. LeCun, C. Cortes, C. J. C. Burges)",
  licence: "commonly distributed under CC BY-SA 3.0",
  dir: "mnist",
  files: [
    mnistFile("train-images-idx3-ubyte.gz", {
      bytes: 9912422,
      md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
      gunzippedSha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    }),
    mnistFile("train-labels-idx1-ubyte.gz", {
      bytes: 28881,
      sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
      md5: "d53e105ee54ea40749a09fcbcd1e9432",
      gunzippedSha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    }),
    mnistFile("t10k-images-idx3-ubyte.gz", {
      bytes: 1648877,
      sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
      md5: "9fb629c4189551a2d022fa330f9573f3",
      gunzippedSha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    }),
    mnistFile("t10k-labels-idx1-ubyte.gz", {
      bytes: 4542,
      sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
      md5: "ec29112dd5afa0611ce80d1b7f02629c",
      gunzippedSha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    }),
  ],
  expect: [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ],
  notes:
    "train-images-idx3-ubyte.gz: SHA-256 of the .gz unknown (the project's copy is a re-compressed " +
    "reconstruction); its gunzipped content is checked instead.",
};

const EMNIST_SPLITS = ["balanced", "byclass", "bymerge", "digits", "letters", "mnist"];

const EMNIST: DataSource = {
  name: "emnist",
  title: "EMNIST (G. Cohen, S. Afshar, J. Tapson, A. van Schaik, 2017), NIST's gzip distribution",
  licence: "derived from NIST Special Database 19 (US-government work)",
  dir: ".",
  files: [{
    name: "gzip.zip",
    urls: [
      "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",
      "https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip",
    ],
    bytes: 561753746,
    md5: "58c8d27c78d21e728a6bc7b3cc06412e",
    unpack: {
      kind: "zip",
      // gzip/emnist-<split>-… → emnist-<split>/emnist-<split>-…, files kept gzip-compressed.
      place: (member) => {
        const match = /^(?:gzip\/)?(emnist-([a-z]+)-[^/]+)$/.exec(member);
        return match && EMNIST_SPLITS.includes(match[2])
          ? `emnist-${match[2]}/${match[1]}`
          : undefined;
      },
      maxBytes: 2 * 2 ** 30,
    },
  }],
  expect: [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "test-images-idx3-ubyte",
    "test-labels-idx1-ubyte",
  ]
    .map((file) => `emnist-balanced/emnist-balanced-${file}.gz`),
  notes:
    "SHA-256 unknown (no byte-identical copy available); size and MD5 as published for torchvision. " +
    "Member names gzip/emnist-<split>-… are assumed from torchvision's loader.",
};

const NIST36: DataSource = {
  name: "nist36",
  title:
    "NIST36: 32×32 letters and digits from NIST SD19, CMU 16-720 'Neural Networks for Recognition' data",
  licence: "course material; NIST SD19 is a US-government work",
  dir: "nist36",
  files: [{
    name: "data.zip",
    urls: [
      "http://www.cs.cmu.edu/~lkeselma/16720a_data/data.zip",
      "http://www.cs.cmu.edu/afs/cs/user/lkeselma/www/16720a_data/data.zip",
    ],
    unpack: {
      kind: "zip",
      place: (member) => {
        const base = member.slice(member.lastIndexOf("/") + 1);
        return /^nist36_(train|valid|test)\.mat$/.test(base) ? base : undefined;
      },
      maxBytes: 2 ** 30,
    },
  }],
  expect: ["nist36_train.mat", "nist36_valid.mat", "nist36_test.mat"],
  notes:
    "Size and checksums unknown (the files could not be obtained); the assignment's get_data.sh URLs.",
};

const FLOWERS17: DataSource = {
  name: "flowers17",
  title: "Oxford Flowers 17 (M.-E. Nilsback, A. Zisserman, VGG, 2006)",
  licence: "images collected from the web; no explicit licence, research use",
  dir: "flowers17",
  files: [
    {
      name: "17flowers.tgz",
      urls: ["https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz"],
      md5: "b59a65d8d1a99cd66944d474e1289eab",
      unpack: {
        kind: "tar.gz",
        place: (
          member,
        ) => (/^jpg\/(image_\d{4}\.jpg|files\.txt)$/.test(member) ? member : undefined),
        maxBytes: 2 ** 28,
      },
    },
    {
      name: "datasplits.mat",
      urls: ["https://www.robots.ox.ac.uk/~vgg/data/flowers/17/datasplits.mat"],
      md5: "4828cddfd0d803c5abbdebcb1e148a1e",
      unpack: { kind: "keep", to: "datasplits.mat" },
    },
  ],
  expect: [
    "jpg/files.txt",
    ...Array.from({ length: 1360 }, (_, i) => `jpg/${flowers17ImageName(i + 1)}`),
    "datasplits.mat",
  ],
  treeDigest: {
    under: "jpg/",
    files: 1361,
    sha256: "d84baa23696b6296e819c490a4a25960666c8413f2591ca80003bb2f831e1954",
  },
  notes:
    "Archive size and SHA-256 unknown; MD5s from a public Flowers17 loader. The unpacked jpg/ files are " +
    "checked against the digests of the project's copy (recorded as the originals of 17flowers.tgz). " +
    "datasplits.mat is unchecked beyond its MD5; the split reader uses its trn2/val2/tst2.",
};

const UNIPEN: DataSource = {
  name: "unipen",
  title: "UNIPEN train_r01_v07 (International Unipen Foundation), Zenodo re-release",
  licence: "CC BY 4.0 (Zenodo record 1195803); cite per unipen-conditions-of-use",
  dir: "unipen-train_r01_v07",
  files: [{
    name: "unipen-CDROM-train_r01_v07.tgz",
    urls: [
      "https://zenodo.org/records/1195803/files/unipen-CDROM-train_r01_v07.tgz?download=1",
      "https://zenodo.org/api/records/1195803/files/unipen-CDROM-train_r01_v07.tgz/content",
    ],
    unpack: {
      kind: "tar.gz",
      // Members are expected under one top folder (…/data, …/include, docs), which is dropped;
      // an archive without it (data/…, include/… at the top) is taken as it is.
      place: (member) => {
        if (/^(data|include)\//.test(member)) return member;
        const slash = member.indexOf("/");
        return slash > 0 ? member.slice(slash + 1) : undefined;
      },
      // The unpacked train_r01_v07 tree is about 494 MB; twice that with room to spare.
      maxBytes: 2 ** 30,
    },
  }],
  expect: ["data/1a", "data/1b", "data/1c"],
  notes: "Size and checksums unknown; the layout inside the archive was not seen (see place).",
};

/** The registry: data set name → source. */
export const SOURCES: Readonly<Record<string, DataSource>> = Object.freeze({
  mnist: MNIST,
  emnist: EMNIST,
  nist36: NIST36,
  flowers17: FLOWERS17,
  unipen: UNIPEN,
});
