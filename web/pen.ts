/**
 * Writing on a canvas with a mouse, pen or finger through pointer events:
 * round strokes of a set width, the points the browser coalesced between
 * two events included so fast strokes stay smooth.
 *
 * @module
 */

import type { CanvasElement, PointerEvent } from "./dom.ts";

/** What {@linkcode attachPen} needs besides the canvas. */
export interface PenOptions {
  /** The stroke width in canvas pixels, asked at the start of each stroke. */
  width: () => number;
  /** Called when a stroke starts (before anything is drawn). */
  onStrokeStart?: () => void;
  /** Called when a stroke ends: the pen lifted or the pointer was lost. */
  onStrokeEnd?: () => void;
}

/** Lets the user write on `canvas`. */
export function attachPen(canvas: CanvasElement, options: PenOptions): void {
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  let drawing: number | undefined;

  // The canvas is scaled by CSS; strokes are drawn in its own pixels.
  const point = (event: PointerEvent): [number, number] => {
    const rect = canvas.getBoundingClientRect();
    return [
      (event.clientX - rect.left) * canvas.width / rect.width,
      (event.clientY - rect.top) * canvas.height / rect.height,
    ];
  };

  const down = (event: PointerEvent) => {
    if (drawing !== undefined || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    drawing = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    options.onStrokeStart?.();
    Object.assign(context, {
      lineWidth: options.width(),
      lineCap: "round",
      lineJoin: "round",
      strokeStyle: "#111",
    });
    const [x, y] = point(event);
    context.beginPath();
    context.moveTo(x, y);
    // A tap leaves a dot: a zero-length round-capped line.
    context.lineTo(x, y);
    context.stroke();
  };

  const move = (event: PointerEvent) => {
    if (event.pointerId !== drawing) return;
    const events = event.getCoalescedEvents?.() ?? [];
    for (const each of events.length > 0 ? events : [event]) context.lineTo(...point(each));
    context.stroke();
    // Restart the path at the pen so each stroke() redraws only the newest segments.
    const [x, y] = point(event);
    context.beginPath();
    context.moveTo(x, y);
  };

  const up = (event: PointerEvent) => {
    if (event.pointerId !== drawing) return;
    drawing = undefined;
    options.onStrokeEnd?.();
  };

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
}
