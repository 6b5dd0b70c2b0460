/**
 * Fuzz targets read through files: UNIPEN documents (with a small include
 * tree: nesting, a cycle, resolution headers) through `readUnipenDocument`
 * and `segmentStrokes`, and OCR checkpoints through `loadOcrModel`, which
 * rebuilds the network the checkpoint's `architecture` describes.
 *
 * @module
 */

import { Rng } from "../../autograd/rng.ts";
import { Tensor } from "../../autograd/mod.ts";
import { readUnipenDocument, segmentStrokes } from "../../datasets/unipen/mod.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../layers/checkpoint.ts";
import { type ClassifierArchitecture, createClassifier } from "../../models/mod.ts";
import { classNames, glyphSize, parseArchitecture } from "../../models/mod.ts";
import { classify, CROP_SIZE, loadOcrModel } from "../../ocr/mod.ts";
import { latin1, mutate, pick } from "./mutate.ts";
import { editHeader } from "./safetensors_mutations.ts";
import { mutateSafetensors } from "./format_targets.ts";
import {
  type FuzzTarget,
  OversizeError,
  type PreparedTarget,
  removeDir,
  scratchDir,
} from "./target.ts";

/** Point lines `x y` of a little zig-zag stroke. */
function points(count: number, x0: number, style: "plain" | "odd"): string {
  return Array.from({ length: count }, (_, i) => {
    const x = x0 + 10 * i;
    const y = 500 + (i % 2 === 0 ? 40 : -40);
    return style === "odd" && i % 3 === 0 ? `\t${x}.5e0  ${y}.25 7` : ` ${x} ${y}`;
  }).join("\n");
}

const INCLUDES: Record<string, string> = {
  "res.dat": ".X_POINTS_PER_INCH 1000\n.Y_POINTS_PER_INCH 1000\n",
  "mm.dat": ".X_POINTS_PER_MM 40\n.Y_POINTS_PER_MM 40\n",
  "pts.dat": `.PEN_DOWN\n${points(30, 100, "plain")}\n.PEN_UP\n${points(5, 400, "plain")}\n`,
  "nest.dat": ".INCLUDE pts.dat\n.INCLUDE res.dat\n.WRITER_ID nested\n",
  "cyc.dat": ".COMMENT loops\n.INCLUDE cyc.dat\n",
};

const DOCUMENTS = [
  `.VERSION 1.0\n.INCLUDE res.dat\n.WRITER_ID w1\n.PEN_DOWN\n${points(12, 100, "plain")}\n` +
  `.PEN_UP\n${points(3, 300, "plain")}\n.PEN_DOWN\n${points(8, 200, "odd")}\n\n` +
  `.SEGMENT CHARACTER 0 ? "a"\n.SEGMENT CHARACTER 0:2-2:5 OK "\\"q\\\\"\n` +
  `.SEGMENT WORD 0-2 ? "ab"\n.INCLUDE pts.dat\n.SEGMENT CHARACTER 3-4 BAD "b"\n`,
  `.INCLUDE mm.dat\r\n.PEN_DOWN\r\n${points(20, 50, "odd")}\r\n.PEN_DOWN\r\n 1 2\r\n` +
  `.SEGMENT CHARACTER 0,1 ? "7"\r\n.SEGMENT CHARACTER 1:0-1:0\r\n`,
  `.INCLUDE nest.dat\n.SEGMENT CHARACTER 0:3-0:20,1 ? "x"\n.PEN_DOWN\n${points(4, 9, "plain")}\n` +
  `.SEGMENT CHARACTER 2 ? "y"\n.SEGMENT TEXT 0-2\n`,
];

const UNIPEN_DICTIONARY = [
  ".PEN_DOWN\n",
  ".PEN_UP\n",
  ".INCLUDE pts.dat\n",
  ".INCLUDE nest.dat\n",
  ".INCLUDE cyc.dat\n",
  ".INCLUDE ../res.dat\n",
  ".INCLUDE /etc/hostname\n",
  ".INCLUDE missing.dat\n",
  '.SEGMENT CHARACTER 0-1,0-1,0-1,0-1 ? "x"\n',
  '.SEGMENT CHARACTER 4294967296 ? "x"\n',
  '.SEGMENT CHARACTER 0:99999999999999999999 ? "x"\n',
  ".SEGMENT CHARACTER 2-0 ?\n",
  ".X_POINTS_PER_INCH 0\n",
  ".Y_POINTS_PER_MM 1e-320\n",
  ".X_POINTS_PER_INCH Infinity\n",
  " 1e308 -1e308\n",
  " NaN 0\n",
  " 123456789012345678 1\n",
  "\r\n",
  '"',
  "\\",
  ":",
  ",",
  "-",
].map(latin1);

/** Most bytes one `.INCLUDE` line can pull in (nest.dat expands to the biggest tree). */
const INCLUDE_EXPANSION = INCLUDES["nest.dat"].length + INCLUDES["pts.dat"].length +
  INCLUDES["res.dat"].length;

function countIncludes(bytes: Uint8Array): number {
  const text = new TextDecoder("latin1").decode(bytes);
  return text.split(".INCLUDE").length - 1;
}

const UNIPEN: FuzzTarget = {
  name: "unipen",
  description: "UNIPEN documents with includes through readUnipenDocument, then segmentStrokes",
  boundText:
    "points + strokes ≤ 16 × expanded text + 64 KiB (expanded = input + includes pulled in)",
  async prepare(): Promise<PreparedTarget> {
    const dir = await scratchDir("unipen");
    await Deno.mkdir(`${dir}/include`);
    for (const [name, text] of Object.entries(INCLUDES)) {
      await Deno.writeTextFile(`${dir}/include/${name}`, text);
    }
    const seeds = DOCUMENTS.map(latin1);
    const path = `${dir}/doc.dat`;
    return {
      seeds,
      mutant: (rng) =>
        Promise.resolve(
          mutate(pick(rng, seeds), rng, { others: seeds, dictionary: UNIPEN_DICTIONARY }),
        ),
      async run(bytes) {
        await Deno.writeFile(path, bytes);
        const document = await readUnipenDocument(path, { includeDir: `${dir}/include` });
        let produced = document.points.buffer.byteLength;
        for (const segment of document.segments) {
          if (segment.level !== "CHARACTER" || segment.label === undefined) continue;
          for (const stroke of segmentStrokes(document, segment)) produced += stroke.byteLength;
        }
        return produced;
      },
      errorPrefix: dir,
      bound: (n, bytes) => 16 * (n + countIncludes(bytes) * INCLUDE_EXPANSION) + (1 << 16),
      close: () => removeDir(dir),
    };
  },
};

/** Parameters (bytes of F32) of the network `architecture` describes, without building it. */
function networkBytes(architecture: ClassifierArchitecture): number {
  const classes = classNames(architecture).length;
  const dense = (inputs: number, outputs: number) => inputs * outputs + outputs;
  if (architecture.kind === "mlp") {
    return 4 *
      (dense(architecture.inputs, architecture.hidden) + dense(architecture.hidden, classes));
  }
  let from = 1;
  let params = 0;
  for (const to of architecture.channels) {
    params += dense(9 * from, to);
    from = to;
  }
  const side = architecture.size >> architecture.channels.length;
  params += dense(from * side * side, architecture.hidden) + dense(architecture.hidden, classes);
  return 4 * params;
}

/** The network loadOcrModel will build for `bytes` (size 0 when it refuses the file before building). */
function impliedNetwork(
  bytes: Uint8Array,
): { size: number; architecture?: ClassifierArchitecture } {
  try {
    const checkpoint = decodeCheckpoint(bytes, { source: "probe" });
    const architecture = parseArchitecture(checkpoint.architecture, "probe");
    // loadOcrModel refuses other glyph sizes before it builds anything.
    if (glyphSize(architecture) !== CROP_SIZE) return { size: 0 };
    return { size: networkBytes(architecture), architecture };
  } catch {
    return { size: 0 };
  }
}

/** A network this large is not even tried: the machine is shared (one edit of a seed stays far below). */
const LARGEST_TRIED = 512 << 20;
/** Allocations below this are lost in the noise of RSS; above it the bound is checked. */
const MEASURABLE = 16 << 20;

/** Memory the process holds now (resident, or promised to array buffers, whichever grew). */
function memory(): { rss: number; external: number } {
  const { rss, external } = Deno.memoryUsage();
  return { rss, external };
}

const HOSTILE_COUNTS = ["65536", "16384", "1024", "257", "33", "31", "0", "-4", "4.5", "1e3"];

const CHECKPOINT: FuzzTarget = {
  name: "checkpoint",
  description: "OCR checkpoints (safetensors + architecture metadata) through loadOcrModel",
  boundText: "memory taken while loading ≤ input + 16 MiB (every weight must come from the file)",
  async prepare(): Promise<PreparedTarget> {
    const dir = await scratchDir("checkpoint");
    const path = `${dir}/model.safetensors`;
    const architectures: ClassifierArchitecture[] = [
      { kind: "mlp", inputs: 1024, hidden: 4, classes: 36 },
      { kind: "cnn", size: 32, channels: [2, 2], hidden: 4, dropout: 0.25, classes: "0123456789" },
    ];
    const rng = new Rng(11);
    const seeds = architectures.map((architecture) =>
      encodeCheckpoint({
        model: createClassifier(architecture, { rng }),
        architecture,
        rng,
        epoch: 3,
      })
    );
    return {
      seeds,
      mutant(rng) {
        const seed = pick(rng, seeds);
        if (rng.next() < 0.7) return Promise.resolve(mutateSafetensors(seed, rng, seeds));
        const count = pick(rng, HOSTILE_COUNTS);
        const bytes = editHeader(rng, seed, /\d+/g, () => count);
        return Promise.resolve({ bytes, how: `count(${count})` });
      },
      async run(bytes) {
        const { size, architecture } = impliedNetwork(bytes);
        const bound = bytes.length + MEASURABLE;
        const oversize = (what: string, taken: number) =>
          new OversizeError(
            `loadOcrModel ${what} for ${JSON.stringify(architecture)}`,
            taken,
            bytes.length,
            bound,
          );
        if (size > LARGEST_TRIED) throw oversize("would build a network (not tried)", size);
        await Deno.writeFile(path, bytes);
        const before = memory();
        const loading = loadOcrModel(path);
        const model = await loading.catch(() => undefined);
        const after = memory();
        // Whether the network was built shows in memory: half its size at least (GC is lazy).
        const taken = Math.max(after.rss - before.rss, after.external - before.external);
        if (size > bound && taken >= size / 2) {
          throw oversize(
            `${model ? "accepted" : "refused"} the file after building a network`,
            size,
          );
        }
        if (!model) return await loading.then(() => 0); // rethrows the loader's error
        classify(model, new Tensor(new Float32Array(1024), [1, 1024]));
        return size;
      },
      errorPrefix: path,
      bound: (n) => n + MEASURABLE,
      close: () => removeDir(dir),
    };
  },
};

/** The targets that go through files. */
export const FILE_TARGETS: readonly FuzzTarget[] = [UNIPEN, CHECKPOINT];
