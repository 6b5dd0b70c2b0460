/**
 * The page of `deno task web` (`web/index.html`), bundled for the browser by
 * `web/serve.ts`. A photo chosen in `#photo` or dropped on the page, or
 * what the user writes on the `#page` canvas, is read by Inkling in the
 * browser itself — the default model is fetched once from the server, the
 * network runs on the engine's WebAssembly kernels — and the text, the
 * characters' boxes and their top-3 classes are shown.
 *
 * The page's state is on `<body>` for scripts and tests: `data-state` is
 * `loading`, `ready`, `reading`, `done` or `error`, and `data-reads` counts
 * the reads shown so far.
 *
 * @module
 */

import { backendName } from "../autograd/mod.ts";
import { type Image, loadOcrModel, readImage, readText, type RgbaPixels } from "../ocr/mod.ts";
import { browser, type CanvasElement, type Element, type InputElement } from "./dom.ts";
import { attachPen } from "./pen.ts";
import { resultChars, showResult } from "./results.ts";

/** The blank page's width and height in pixels: a landscape sheet for a few short words. */
const [BLANK_WIDTH, BLANK_HEIGHT] = [800, 450];
/** How long after the pen lifts the page is read, so a letter of several strokes is read once. */
const READ_DELAY_MS = 700;

const { document } = browser;
const byId = <T extends Element>(id: string) => document.getElementById(id) as T;
const page = byId<CanvasElement>("page");
const boxes = byId<CanvasElement>("boxes");
const photo = byId<InputElement>("photo");
const auto = byId<InputElement>("auto");
const stage = byId("stage");
const status = byId("status");
const view = { boxes, text: byId("text"), rows: byId("rows") };
const context = page.getContext("2d", { willReadFrequently: true })!;

// Relative to the page, not to this bundle's import.meta.url: the server
// serves the model beside index.html.
const model = loadOcrModel(new URL("default_model.safetensors", location.href));
let requested = 0;
let shown = 0;
let pending: ReturnType<typeof setTimeout> | undefined;

function setState(state: string, message: string): void {
  document.body.dataset.state = state;
  status.textContent = message;
}

function fail(error: unknown): void {
  setState("error", error instanceof Error ? error.message : String(error));
}

/** Resolves once the browser has painted, so a status set just before shows during the work. */
function painted(): Promise<void> {
  return new Promise((resolve) => browser.requestAnimationFrame(() => setTimeout(resolve)));
}

/** Reads `pixels` and shows the result, unless a newer read was asked for meanwhile. */
async function read(pixels: Image | RgbaPixels, started = performance.now()): Promise<void> {
  const id = ++requested;
  clearTimeout(pending);
  setState("reading", "Reading…");
  try {
    const loaded = await model;
    await painted();
    const result = await readText(pixels, { model: loaded });
    if (id !== requested) return;
    showResult(view, result);
    document.body.dataset.reads = String(++shown);
    const count = resultChars(result).length;
    const ms = Math.round(performance.now() - started);
    const characters = count === 1 ? "1 character" : `${count} characters`;
    setState("done", `Read ${characters} in ${ms} ms (${backendName()} kernels).`);
  } catch (error) {
    if (id === requested) fail(error);
  }
}

/** Resizes both canvases to `width` × `height` (which clears them). */
function resize(width: number, height: number): void {
  for (const canvas of [page, boxes]) [canvas.width, canvas.height] = [width, height];
}

function blankPage(): void {
  requested++; // a read still running must not draw over the new page
  clearTimeout(pending);
  resize(BLANK_WIDTH, BLANK_HEIGHT);
  context.fillStyle = "#fff";
  context.fillRect(0, 0, BLANK_WIDTH, BLANK_HEIGHT);
  showResult(view, null);
}

/** Decodes a photo as the library does (EXIF orientation applied), shows it and reads it. */
async function openPhoto(file: File): Promise<void> {
  const started = performance.now();
  setState("reading", `Opening ${file.name}…`);
  let image: Image;
  try {
    image = await readImage(file);
    blankPage();
    resize(image.width, image.height);
    context.putImageData(imageData(image), 0, 0);
  } catch (error) {
    return fail(error);
  }
  // The photo itself is read, not the canvas, so the text is exactly what Deno reads.
  await read(image, started);
}

/** `image`'s pixels as 8-bit RGBA for the canvas. */
function imageData(image: Image): ImageData {
  let rgba = image.bitDepth === 8 ? image : image.convertBitDepth(8);
  if (rgba.colorModel !== "RGBA") rgba = rgba.convertColor("RGBA");
  const { data } = rgba.getRawImage();
  // Decoded images own plain ArrayBuffers, never shared ones.
  const bytes = new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  return new ImageData(bytes, image.width, image.height);
}

function readPage(): void {
  read(context.getImageData(0, 0, page.width, page.height));
}

attachPen(page, {
  // 10 pixels on the blank page: a fifteenth of a letter a third of the page high, like a felt pen.
  width: () => Math.max(3, Math.round(Math.min(page.width, page.height) / 45)),
  onStrokeStart: () => clearTimeout(pending),
  onStrokeEnd: () => {
    if (auto.checked) pending = setTimeout(readPage, READ_DELAY_MS);
  },
});

photo.addEventListener("change", () => {
  const file = photo.files?.[0];
  if (file) openPhoto(file);
});
byId("read").addEventListener("click", readPage);
byId("clear").addEventListener("click", () => {
  photo.value = "";
  blankPage();
  setState("ready", "Write on the page.");
});
// The whole window takes drops, so a photo dropped beside the page is not opened as a new tab.
browser.addEventListener("dragover", (event) => {
  event.preventDefault();
  stage.classList.add("dropping");
});
browser.addEventListener("dragleave", () => stage.classList.remove("dropping"));
browser.addEventListener("drop", (event) => {
  event.preventDefault();
  stage.classList.remove("dropping");
  const file = event.dataTransfer?.files[0];
  if (file) openPhoto(file);
});

blankPage();
model.then(
  () => {
    const ms = Math.round(performance.now());
    if (document.body.dataset.state === "loading") {
      setState("ready", `Model loaded in ${ms} ms. Choose or drop a photo, or write on the page.`);
    }
  },
  fail,
);
