/**
 * Formatting helpers for safetensors error messages: names, values and JSON
 * excerpts are shortened, so a hostile file cannot blow up a message to
 * megabytes or smuggle control characters into a log.
 *
 * @module
 */

const MAX_SHOWN = 60;

function shorten(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** A tensor name or key as a JSON string literal, cut after 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(shorten(text));
}

/** A piece of header JSON as found in the file, whitespace collapsed, cut after 60 characters. */
export function excerpt(json: string): string {
  return shorten(json.slice(0, 4 * MAX_SHOWN).replace(/\s+/g, " "));
}

/** A short description of a JavaScript value passed to the writer. */
export function describe(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (typeof value !== "object" || value === null) return String(value);
  return Array.isArray(value) ? `an array` : value.constructor?.name ?? "an object";
}

/** A shape as `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
