/**
 * The layout's import rules, checked on the source itself (the README's
 * "Layout" section explains them): every top-level folder imports only
 * folders below it, the engine imports nothing at all, applications reach
 * each other only through their `mod.ts`, inference never imports training
 * code, and no two files import each other in a circle.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** Rank of each top-level folder: a folder imports only folders of lower rank (and itself). */
const RANK: Record<string, number> = {
  autograd: 0,
  formats: 1,
  layers: 2,
  viz: 2,
  tools: 2,
  datasets: 3,
  models: 4,
  // ONNX sits above models (its exporter writes their layers and loads classifier checkpoints)
  // and below the applications (fine-tuning runs SqueezeNet through it); nothing lower imports
  // it, so its npm packages (protobufjs, onnxruntime-node) never reach the engine, layers or models.
  onnx: 5,
  train: 6,
  ocr: 6,
  compression: 6,
  finetune: 6,
  // The web page is built on the OCR application (and serves it), so it sits above it.
  web: 7,
};
const APPLICATIONS = new Set(["train", "ocr", "compression", "finetune", "web"]);
/** Folders that stay free of npm packages, so the engine and layers load anywhere. */
const NO_PACKAGES = new Set(["autograd", "formats", "layers", "models"]);
/** Files that train, evaluate, report or parse a command line. */
const TRAINY = /(^|\/)(cli|eval|eval_cli|report|train_[a-z_]+)\.ts$|^train\//;
/** Not library code: generators and the scripts around the library. */
const OUTSIDE =
  /^(tests|bench|examples|node_modules|runs)\/|^tools\/build_wasm\.ts$|^tools\/build\//;

interface Source {
  path: string;
  imports: string[];
}

async function sources(dir = ""): Promise<Source[]> {
  const found: Source[] = [];
  for await (const entry of Deno.readDir(`${ROOT}/${dir}`)) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name.startsWith(".") || OUTSIDE.test(`${path}/`) || OUTSIDE.test(path)) continue;
    if (entry.isDirectory) found.push(...await sources(path));
    else if (path.endsWith(".ts") && path.includes("/")) {
      const text = (await Deno.readTextFile(`${ROOT}/${path}`))
        .replace(/\/\*[\s\S]*?\*\//g, "") // doc comments hold example imports
        .replace(/^\s*\/\/.*$/gm, "");
      const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)];
      found.push({ path, imports: specifiers.map((m) => m[1]) });
    }
  }
  return found;
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

const top = (path: string) => path.split("/")[0];
const all = await sources();
const edges = all.map(({ path, imports }) => ({
  path,
  packages: imports.filter((s) => !s.startsWith(".") && !s.startsWith("node:")),
  files: imports.filter((s) => s.startsWith(".")).map((s) => resolve(path, s)),
}));

Deno.test("layout: every source folder has a rank, and imports only folders below it", () => {
  const problems: string[] = [];
  for (const { path, files } of edges) {
    const from = top(path);
    assert.ok(from in RANK, `${path}: folder ${from} has no place in the layout`);
    for (const target of files) {
      const to = top(target);
      if (to !== from && !(RANK[to] < RANK[from])) problems.push(`${path} imports ${target}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("layout: the engine imports nothing; formats only the engine's errors; no packages low down", () => {
  const problems: string[] = [];
  for (const { path, files, packages } of edges) {
    const folder = top(path);
    if (folder === "formats") {
      for (const target of files) {
        if (top(target) !== "formats" && target !== "autograd/errors.ts") {
          problems.push(`${path} imports ${target}`);
        }
      }
    }
    if (NO_PACKAGES.has(folder) && packages.length > 0) {
      problems.push(`${path} imports ${packages.join(", ")}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("layout: applications reach each other only through mod.ts; inference never imports training", () => {
  const problems: string[] = [];
  for (const { path, files } of edges) {
    for (const target of files) {
      const [from, to] = [top(path), top(target)];
      if (APPLICATIONS.has(to) && to !== from && target !== `${to}/mod.ts`) {
        problems.push(`${path} imports ${target} inside another application`);
      }
      if (TRAINY.test(target) && !TRAINY.test(path) && !path.endsWith("/mod.ts")) {
        problems.push(`${path} (not a trainer, CLI, evaluator or report) imports ${target}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("layout: no file imports itself through a circle of other files", () => {
  const graph = new Map(edges.map(({ path, files }) => [path, files]));
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  const visit = (path: string, stack: string[]) => {
    state.set(path, "open");
    for (const next of graph.get(path) ?? []) {
      if (state.get(next) === "open") {
        circles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
      } else if (!state.has(next)) visit(next, [...stack, next]);
    }
    state.set(path, "done");
  };
  for (const path of graph.keys()) if (!state.has(path)) visit(path, [path]);
  assert.deepEqual(circles, []);
});

Deno.test("layout: every source file stays under 400 lines", async () => {
  const long: string[] = [];
  for (const { path } of edges) {
    const lines = (await Deno.readTextFile(`${ROOT}/${path}`)).split("\n").length - 1;
    if (lines > 400) long.push(`${path}: ${lines} lines`);
  }
  assert.deepEqual(long, []);
});
