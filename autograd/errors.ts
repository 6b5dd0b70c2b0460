/**
 * Error types of Inkling. Every error the library raises on purpose is an
 * {@linkcode InklingError}, so callers (and fuzz tests) can tell a clear,
 * expected failure from a bug.
 *
 * @module
 */

/** Base class of every error Inkling throws on purpose. */
export class InklingError extends Error {
  /** Creates an error with a message meant for the user. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Shapes do not fit an operation (the message names the op and the shapes). */
export class ShapeError extends InklingError {}

/** Tensors of different dtypes met in one operation. */
export class DTypeError extends InklingError {}

/** Autograd was used wrongly (backward on a non-scalar without seed, a released graph, …). */
export class AutogradError extends InklingError {}

/** A file or buffer does not hold what its format promises (the message names the file). */
export class FormatError extends InklingError {}

/**
 * `text` quoted for an error message, cut to `max` characters (default 60)
 * with "…": messages quote what a file holds, and a file can hold a line of
 * megabytes, so every quote is bounded to keep an error one readable line.
 */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/[\r\n\t]+/g, " ");
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
