/**
 * Showing what was read: the characters' boxes and labels drawn on a
 * transparent canvas laid over the page, and a table of each character's
 * three most likely classes; hovering a row marks its box.
 *
 * @module
 */

import type { ReadChar, ReadResult } from "../ocr/mod.ts";
import { browser, type CanvasElement, type Element } from "./dom.ts";

/** Where {@linkcode showResult} draws. */
export interface ResultView {
  /** The transparent canvas over the page, of the page's size in pixels. */
  boxes: CanvasElement;
  /** The `<pre>` the text goes in. */
  text: Element;
  /** The table body that gets one row per character. */
  rows: Element;
}

/** The characters of `result` in reading order. */
export function resultChars(result: ReadResult): ReadChar[] {
  return result.lines.flatMap((line) => line.words.flatMap((word) => word.chars));
}

/** Shows `result` (null: nothing read yet) in `view`. */
export function showResult(view: ResultView, result: ReadResult | null): void {
  const chars = result === null ? [] : resultChars(result);
  view.text.textContent = result?.text ?? "";
  drawBoxes(view.boxes, chars);
  view.rows.replaceChildren(...chars.map((char, i) => {
    const row = browser.document.createElement("tr");
    const cells = [
      String(i + 1),
      char.char,
      ...char.top3.map(({ char, p }) => `${char} ${percent(p)}`),
    ];
    row.append(...cells.map((content) => {
      const cell = browser.document.createElement("td");
      cell.textContent = content;
      return cell;
    }));
    row.addEventListener("mouseenter", () => drawBoxes(view.boxes, chars, i));
    row.addEventListener("mouseleave", () => drawBoxes(view.boxes, chars));
    return row;
  }));
}

/** A probability as a percentage with one decimal ("97.3 %"; "<0.1 %" below). */
function percent(p: number): string {
  return p < 0.0005 ? "<0.1 %" : `${(p * 100).toFixed(1)} %`;
}

/** Draws each character's box and label, the `marked` one filled. */
function drawBoxes(canvas: CanvasElement, chars: readonly ReadChar[], marked?: number): void {
  const context = canvas.getContext("2d")!;
  context.clearRect(0, 0, canvas.width, canvas.height);
  // Lines and labels keep their on-screen size however large the photo is.
  const scale = canvas.width / Math.max(1, canvas.getBoundingClientRect().width);
  context.lineWidth = 2 * scale;
  context.textBaseline = "bottom";
  for (const [i, { char, box }] of chars.entries()) {
    const [y1, x1, y2, x2] = box;
    if (i === marked) {
      context.fillStyle = "rgba(255, 200, 0, 0.35)";
      context.fillRect(x1, y1, x2 - x1, y2 - y1);
    }
    context.strokeStyle = i === marked ? "#d93025" : "#1a73e8";
    context.strokeRect(x1, y1, x2 - x1, y2 - y1);
    const size = Math.round(16 * scale);
    context.font = `bold ${size}px system-ui, sans-serif`;
    context.fillStyle = "#d93025";
    // Above the box, or below it when the box touches the top of the page.
    const y = y1 - context.lineWidth >= size
      ? y1 - context.lineWidth
      : y2 + size + context.lineWidth;
    context.fillText(char, x1, y);
  }
}
