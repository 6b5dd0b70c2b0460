/**
 * The page of `deno task web` in a real browser: Debian's Chromium, headless,
 * driven by puppeteer-core. A photo uploaded through `#photo` must read
 * exactly as `readText` reads it in Deno, letters written on the canvas with
 * the mouse must read as those letters, everything on the engine's
 * WebAssembly kernels, with no page or console error.
 *
 * Chromium is required: without it the test fails saying how to install it
 * (CI installs it in `.ci/run`), so a missing browser never passes silently.
 * `INKLING_CHROMIUM` names another Chromium or Chrome binary;
 * `INKLING_SKIP_BROWSER=1` marks the test ignored (it is then listed as
 * such), for machines where no browser can be installed.
 */

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import puppeteer, { type Page } from "puppeteer-core";
import { readText } from "../../ocr/mod.ts";
import type { Browser, CanvasElement } from "../../web/dom.ts";
import { startWebServer } from "../../web/serve.ts";
import { DATA_DIR } from "../shared_data.ts";

/** The page's document, in the callbacks that `page.evaluate` and `waitForFunction` run in it. */
declare const document: Browser["document"];

const CHROMIUM = Deno.env.get("INKLING_CHROMIUM") ?? "/usr/bin/chromium";
const PHOTO = `${DATA_DIR}/images/02_letters.jpg`;
/** Generous: a shared 2-core machine reads a photo in a few seconds. */
const TIMEOUT_MS = 60_000;

/** A stroke: points in the page canvas's own pixels (800 × 450 for a blank page). */
type Stroke = [number, number][];

/** Block capitals about 250 px high on the blank page, each stroke a separate pen-down. */
const LETTERS: Record<string, Stroke[]> = {
  L: [[[330, 90], [330, 350]], [[330, 350], [480, 350]]],
  T: [[[300, 90], [500, 90]], [[400, 90], [400, 350]]],
};

/** The page's state: what `web/app.ts` keeps on `<body>` and shows. */
async function pageState(page: Page) {
  const shown = await page.evaluate(() => ({
    state: document.body.dataset.state,
    reads: Number(document.body.dataset.reads ?? 0),
    status: document.getElementById("status")!.textContent ?? "",
    text: document.getElementById("text")!.textContent ?? "",
  }));
  return { ...shown, rows: (await page.$$("#rows tr")).length };
}

/**
 * Waits until `condition(arg)` holds in the page; a timeout says what the
 * page shows and the errors it reported, which usually tell why.
 */
async function waitUntil(
  page: Page,
  problems: readonly string[],
  condition: (arg: number) => boolean,
  arg = 0,
): Promise<void> {
  try {
    await page.waitForFunction(condition, { timeout: TIMEOUT_MS }, arg);
  } catch (error) {
    const state = JSON.stringify(await pageState(page));
    const errors = problems.length === 0 ? "none" : problems.join("; ");
    throw new Error(`timed out: the page shows ${state}; its errors: ${errors}`, { cause: error });
  }
}

/** Waits until more than `reads` results were shown, or the page reports an error. */
async function nextRead(page: Page, problems: readonly string[], reads: number) {
  await waitUntil(
    page,
    problems,
    (before) =>
      document.body.dataset.state === "error" ||
      (document.body.dataset.state === "done" && Number(document.body.dataset.reads) > before),
    reads,
  );
  const state = await pageState(page);
  assert.notEqual(state.state, "error", `the page failed: ${state.status}`);
  return state;
}

/** Writes `strokes` on the page canvas with the mouse. */
async function write(page: Page, strokes: Stroke[]): Promise<void> {
  const box = (await (await page.$("#page"))!.boundingBox())!;
  const size = await page.evaluate(() => {
    const canvas = document.getElementById("page") as CanvasElement;
    return [canvas.width, canvas.height];
  });
  const at = ([x, y]: [number, number]): [number, number] => [
    box.x + x * box.width / size[0],
    box.y + y * box.height / size[1],
  ];
  for (const [first, ...rest] of strokes) {
    await page.mouse.move(...at(first));
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...at(point), { steps: 25 });
    await page.mouse.up();
  }
}

Deno.test({
  name: "web: Chromium reads an uploaded photo as Deno does, and letters written with the mouse",
  ignore: Deno.env.get("INKLING_SKIP_BROWSER") === "1",
}, async (t) => {
  assert.ok(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: install it with \`apt-get install chromium\` (as .ci/run does), ` +
      "set INKLING_CHROMIUM to a Chromium or Chrome binary, or INKLING_SKIP_BROWSER=1 to skip",
  );
  assert.ok(existsSync(PHOTO), `missing ${PHOTO}: set INKLING_DATA_DIR to the shared data`);
  const expected = (await readText(PHOTO)).text;
  const server = await startWebServer({ port: 0 });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"], // tests run as root, where Chromium's sandbox refuses to start
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${(error as Error).message}`));
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      problems.push(`console error: ${message.text()} (${message.location().url ?? "?"})`);
    });
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(server.url);
    await waitUntil(page, problems, () => document.body.dataset.state !== "loading");

    await t.step(
      "a photo chosen in #photo reads exactly as readText reads it in Deno",
      async () => {
        await (await page.$("input#photo"))!.uploadFile(PHOTO);
        const read = await nextRead(page, problems, 0);
        assert.equal(read.text, expected);
        assert.equal(read.rows, expected.replace(/\s/g, "").length, "one table row per character");
        assert.match(read.status, /\(wasm kernels\)/, "the engine's WebAssembly kernels ran");
        // The boxes are drawn over the photo at its own resolution.
        const sizes = await page.evaluate(() =>
          ["page", "boxes"].map((id) => {
            const canvas = document.getElementById(id) as CanvasElement;
            return `${canvas.width}x${canvas.height}`;
          })
        );
        assert.equal(sizes[0], sizes[1]);
        assert.notEqual(sizes[0], "800x450", "the photo replaced the blank page");
      },
    );

    await t.step("an L written on a blank page reads as L (the Read button)", async () => {
      await page.click("#clear");
      await page.click("#auto"); // off: this letter is read by the button
      await write(page, LETTERS.L);
      const { reads } = await pageState(page);
      await page.click("#read");
      const read = await nextRead(page, problems, reads);
      assert.equal(read.text, "L");
      assert.equal(read.rows, 1);
    });

    await t.step("a T written on a blank page is read when the pen stops", async () => {
      await page.click("#clear");
      await page.click("#auto"); // on again
      await write(page, LETTERS.T);
      // A read between the strokes would show "I"; the one after the last stroke shows T.
      await waitUntil(
        page,
        problems,
        () =>
          document.body.dataset.state === "error" ||
          (document.body.dataset.state === "done" &&
            document.getElementById("text")!.textContent === "T"),
      );
      const read = await pageState(page);
      assert.equal(read.text, "T", read.status);
    });

    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
