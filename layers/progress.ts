/**
 * Training progress on stderr: a live bar when stderr is a terminal, one
 * plain line per epoch otherwise (logs, CI), or nothing. Where there is no
 * stderr to write to (a browser page, a worker), "auto" shows nothing: a
 * page reports progress through `fit`'s callbacks.
 *
 * @module
 */

import type { History } from "./history.ts";

/** How progress is shown. */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

const encoder = new TextEncoder();

/** Writes progress for one training run. */
export class ProgressReporter {
  readonly #mode: Exclude<ProgressMode, "auto">;
  readonly #epochs: number;
  #lastDraw = 0;

  /**
   * Chooses the display for `mode` ("auto": bar on a terminal, lines on other
   * stderr, nothing without `Deno`).
   */
  constructor(mode: ProgressMode, epochs: number) {
    this.#mode = mode === "auto" ? autoMode() : mode;
    this.#epochs = epochs;
  }

  /** Progress within an epoch (fraction done); redrawn at most 10 times a second. */
  step(epoch: number, fraction: number): void {
    if (this.#mode !== "bar") return;
    const now = performance.now();
    if (now - this.#lastDraw < 100 && fraction < 1) return;
    this.#lastDraw = now;
    const width = 30;
    const filled = Math.round(fraction * width);
    write(
      `\repoch ${epoch + 1}/${this.#epochs} [${"#".repeat(filled)}${".".repeat(width - filled)}]`,
    );
  }

  /** Summary line of a finished epoch. */
  epoch(epoch: number, h: History): void {
    if (this.#mode === "none") return;
    const i = h.train_loss.length - 1;
    const valid = h.valid_loss.length > i
      ? `  valid loss ${h.valid_loss[i].toFixed(4)} acc ${(100 * h.valid_acc[i]).toFixed(2)}%`
      : "";
    write(
      `${this.#mode === "bar" ? "\r\x1b[K" : ""}epoch ${epoch + 1}/${this.#epochs}  train loss ${
        h.train_loss[i].toFixed(4)
      } acc ${(100 * h.train_acc[i]).toFixed(2)}%${valid}\n`,
    );
  }

  /** Ends the display (clears a half-drawn bar). */
  done(): void {
    if (this.#mode === "bar") write("\r\x1b[K");
  }
}

function autoMode(): Exclude<ProgressMode, "auto"> {
  if (typeof Deno === "undefined") return "none";
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

function write(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}
