/**
 * The few browser APIs the page uses, typed here instead of through
 * TypeScript's `dom` library: `deno check .` checks the whole project as one
 * program, and the `dom` library's globals, once referenced by any file,
 * replace some of Deno's for every file (`TextDecoderStream` no longer fits
 * `ReadableStream.pipeThrough`, for one). What Deno already types the same
 * way as browsers (`Event`, `File`, `ImageData`, `location`, `performance`)
 * is used as it is.
 *
 * @module
 */

/** A canvas's 2D drawing context: the members the page draws with. */
export interface Canvas2D {
  /** Colour of fills. */
  fillStyle: string;
  /** Colour of lines. */
  strokeStyle: string;
  /** Width of lines in canvas pixels. */
  lineWidth: number;
  /** How lines end ("round"). */
  lineCap: string;
  /** How lines meet ("round"). */
  lineJoin: string;
  /** The CSS font of text. */
  font: string;
  /** Where text sits relative to its y ("bottom"). */
  textBaseline: string;
  /** Fills a rectangle. */
  fillRect(x: number, y: number, width: number, height: number): void;
  /** Clears a rectangle to transparent. */
  clearRect(x: number, y: number, width: number, height: number): void;
  /** Outlines a rectangle. */
  strokeRect(x: number, y: number, width: number, height: number): void;
  /** Draws text. */
  fillText(text: string, x: number, y: number): void;
  /** Starts a new path. */
  beginPath(): void;
  /** Moves the path's pen without drawing. */
  moveTo(x: number, y: number): void;
  /** Adds a straight segment to the path. */
  lineTo(x: number, y: number): void;
  /** Draws the path's outline. */
  stroke(): void;
  /** Copies pixels onto the canvas. */
  putImageData(data: ImageData, x: number, y: number): void;
  /** Copies pixels off the canvas: 8-bit RGBA, the default format of a 2D canvas. */
  getImageData(x: number, y: number, width: number, height: number): CanvasPixels;
}

/**
 * What a 2D canvas's `getImageData` returns: an `ImageData` of 8-bit RGBA
 * (Deno types `ImageData` with float16 data too, which a 2D canvas gives
 * only when asked).
 */
export interface CanvasPixels {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** `width × height × 4` bytes, row by row. */
  readonly data: Uint8ClampedArray<ArrayBuffer>;
}

/** A pointer (mouse, pen or touch) event. */
export interface PointerEvent extends Event {
  /** Which pointer: stays the same from down to up. */
  readonly pointerId: number;
  /** "mouse", "pen" or "touch". */
  readonly pointerType: string;
  /** The mouse button pressed (0: the main one). */
  readonly button: number;
  /** Position in the viewport, CSS pixels. */
  readonly clientX: number;
  /** Position in the viewport, CSS pixels. */
  readonly clientY: number;
  /** The moves the browser merged into this one (missing in older browsers). */
  getCoalescedEvents?(): PointerEvent[];
}

/** A drag-and-drop event. */
export interface DragEvent extends Event {
  /** What is dragged, with its files. */
  readonly dataTransfer: { readonly files: ArrayLike<File> } | null;
}

/** The pointer event types the pen listens to. */
export type PointerEventType = "pointerdown" | "pointermove" | "pointerup" | "pointercancel";

/** An element of the page, with the members the page uses. */
export interface Element {
  /** Its text. */
  textContent: string | null;
  /** Its `data-*` attributes. */
  readonly dataset: Record<string, string | undefined>;
  /** Its CSS classes. */
  readonly classList: { add(name: string): void; remove(name: string): void };
  /** Its box in the viewport, CSS pixels. */
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  /** Adds children at the end. */
  append(...nodes: (Element | string)[]): void;
  /** Replaces all children. */
  replaceChildren(...nodes: Element[]): void;
  /** Listens to pointer events. */
  addEventListener(type: PointerEventType, listener: (event: PointerEvent) => void): void;
  /** Listens to other events. */
  addEventListener(type: string, listener: (event: Event) => void): void;
}

/** A `<canvas>`. */
export interface CanvasElement extends Element {
  /** Width in canvas pixels. */
  width: number;
  /** Height in canvas pixels. */
  height: number;
  /** Its 2D context. */
  getContext(kind: "2d", options?: { willReadFrequently?: boolean }): Canvas2D | null;
  /** Sends the pointer's later events here even when it leaves the canvas. */
  setPointerCapture(pointerId: number): void;
}

/** An `<input>`: a file chooser or a checkbox. */
export interface InputElement extends Element {
  /** The chosen files (file inputs). */
  readonly files: ArrayLike<File> | null;
  /** Its value ("" clears a file input). */
  value: string;
  /** Whether it is ticked (checkboxes). */
  checked: boolean;
}

/** The page's document. */
export interface Document {
  /** The `<body>`. */
  readonly body: Element;
  /** The element with this id, if any. */
  getElementById(id: string): Element | null;
  /** A new element. */
  createElement(tag: string): Element;
}

/** The browser's global scope, as far as the page uses it. */
export interface Browser {
  /** The page. */
  readonly document: Document;
  /** Calls `callback` before the next paint. */
  requestAnimationFrame(callback: () => void): number;
  /** Listens to drag-and-drop events on the window. */
  addEventListener(
    type: "dragover" | "dragleave" | "drop",
    listener: (event: DragEvent) => void,
  ): void;
}

/** The browser's global scope, typed as {@linkcode Browser}. */
export const browser: Browser = globalThis as unknown as Browser;
