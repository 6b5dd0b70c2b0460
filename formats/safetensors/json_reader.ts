/**
 * A strict, pull-style JSON reader (RFC 8259) for safetensors headers. The
 * header reader asks for exactly the values it needs and skips the rest
 * without building them, so a hostile 100 MB header cannot inflate into
 * gigabytes of parsed objects. Unlike `JSON.parse` it refuses duplicate keys
 * (at every level), unpaired surrogate escapes and nesting deeper than a
 * limit, and it hands out numbers as their source text so integer syntax can
 * be told apart from `2.0` or `1e9`.
 *
 * @module
 */

/** What the next value is, judged from its first character. */
export type JsonKind = "object" | "array" | "string" | "number" | "literal" | "none";

/** Options of {@linkcode JsonReader}. */
export interface JsonReaderOptions {
  /** Builds the error to throw from a description of the syntax problem. */
  fail: (message: string) => Error;
  /** Deepest nesting of arrays and objects accepted (default 64). */
  maxDepth?: number;
}

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
const LITERALS = ["true", "false", "null"];
const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

/**
 * Reads one JSON document value by value. Objects are walked with
 * {@linkcode JsonReader.beginObject} / {@linkcode JsonReader.nextKey}, arrays
 * with {@linkcode JsonReader.beginArray} / {@linkcode JsonReader.nextItem};
 * after each key or item the caller reads or skips exactly one value.
 */
export class JsonReader {
  #pos = 0;
  /** True right after "{" or "[": the next member needs no comma. */
  #first = false;
  /** Keys seen in each open object (innermost last), for duplicate detection. */
  readonly #keys: Set<string>[] = [];
  #depth = 0;
  readonly #text: string;
  readonly #fail: (message: string) => Error;
  readonly #maxDepth: number;

  /** Starts reading `text`. */
  constructor(text: string, options: JsonReaderOptions) {
    this.#text = text;
    this.#fail = options.fail;
    this.#maxDepth = options.maxDepth ?? 64;
  }

  /** The kind of the next value (after whitespace), without consuming it. */
  peek(): JsonKind {
    this.#skipWhitespace();
    const c = this.#text[this.#pos];
    if (c === "{") return "object";
    if (c === "[") return "array";
    if (c === '"') return "string";
    if (c === "-" || (c >= "0" && c <= "9")) return "number";
    return this.#literal() !== undefined ? "literal" : "none";
  }

  /** Consumes the "{" opening an object. */
  beginObject(): void {
    this.#open("{");
    this.#keys.push(new Set());
  }

  /**
   * Consumes the separator before the next member and returns its key (with
   * the ":" after it consumed), or `undefined` after consuming the closing "}".
   */
  nextKey(): string | undefined {
    if (this.#atClose("}")) {
      this.#keys.pop();
      return undefined;
    }
    this.#skipWhitespace();
    if (this.#text[this.#pos] !== '"') this.#unexpected("a string key");
    const at = this.#pos;
    const key = this.#string(true);
    const keys = this.#keys[this.#keys.length - 1];
    if (keys.has(key)) throw this.#error(`duplicate key ${JSON.stringify(key)}`, at);
    keys.add(key);
    this.#skipWhitespace();
    this.#expect(":");
    return key;
  }

  /** Consumes the "[" opening an array. */
  beginArray(): void {
    this.#open("[");
  }

  /** Consumes the separator before the next item (true), or the closing "]" (false). */
  nextItem(): boolean {
    return !this.#atClose("]");
  }

  /** Reads a string value. */
  readString(): string {
    if (this.peek() !== "string") throw this.#error("expected a string");
    return this.#string(true);
  }

  /** Reads a number value and returns its source text (e.g. `"12"`, `"-1.5e3"`). */
  readNumberText(): string {
    this.#skipWhitespace();
    const start = this.#pos;
    const end = this.#numberEnd(start);
    if (end === start) throw this.#error("invalid number");
    this.#pos = end;
    return this.#text.slice(start, end);
  }

  /** Checks and skips the next value without building it. */
  skipValue(): void {
    switch (this.peek()) {
      case "object":
        this.beginObject();
        while (this.nextKey() !== undefined) this.skipValue();
        return;
      case "array":
        this.beginArray();
        while (this.nextItem()) this.skipValue();
        return;
      case "string":
        this.#string(false);
        return;
      case "number":
        this.readNumberText();
        return;
      case "literal":
        this.#pos += this.#literal()?.length ?? 0;
        return;
      case "none":
        this.#unexpected("a JSON value");
    }
  }

  /** Skips the next value and returns its source text (for error messages). */
  rawValue(): string {
    this.#skipWhitespace();
    const start = this.#pos;
    this.skipValue();
    return this.#text.slice(start, this.#pos);
  }

  /** Checks that only whitespace follows the document's value. */
  expectEnd(): void {
    this.#skipWhitespace();
    if (this.#pos < this.#text.length) throw this.#error("unexpected text after the JSON value");
  }

  #error(problem: string, at = this.#pos): Error {
    return this.#fail(`${problem} at character ${at}`);
  }

  /** The literal (true, false, null) at the cursor, if any. */
  #literal(): string | undefined {
    return LITERALS.find((word) => this.#text.startsWith(word, this.#pos));
  }

  #skipWhitespace(): void {
    while (WHITESPACE.has(this.#text.charCodeAt(this.#pos))) this.#pos++;
  }

  #expect(char: string): void {
    if (this.#text[this.#pos] !== char) this.#unexpected(`"${char}"`);
    this.#pos++;
  }

  #unexpected(expected: string): never {
    const atEnd = this.#pos >= this.#text.length;
    throw this.#error(atEnd ? "unexpected end of input" : `expected ${expected}`);
  }

  #open(bracket: string): void {
    this.#skipWhitespace();
    if (this.#depth >= this.#maxDepth) throw this.#error(`nesting deeper than ${this.#maxDepth}`);
    this.#expect(bracket);
    this.#depth++;
    this.#first = true;
  }

  /** Consumes "," before a further member (false) or the closing bracket (true). */
  #atClose(close: string): boolean {
    this.#skipWhitespace();
    if (this.#text[this.#pos] === close) {
      this.#pos++;
      this.#depth--;
      // The closed container was a value of its parent, which therefore has a member.
      this.#first = false;
      return true;
    }
    if (!this.#first) this.#expect(",");
    this.#first = false;
    return false;
  }

  /** Reads the string at the cursor; builds it only when `build` is true. */
  #string(build: boolean): string {
    const text = this.#text;
    let pos = this.#pos + 1; // after the opening quote
    let out = "";
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) throw this.#error("unterminated string", this.#pos);
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) throw this.#error("control character inside a string", pos);
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      const [decoded, next] = this.#escape(pos);
      if (build) out += text.slice(chunkStart, pos) + decoded;
      pos = chunkStart = next;
    }
    this.#pos = pos + 1;
    return build ? out + text.slice(chunkStart, pos) : "";
  }

  /** Decodes the escape sequence at `pos` (a backslash); returns it and the next position. */
  #escape(pos: number): [string, number] {
    const simple = SIMPLE_ESCAPES.get(this.#text[pos + 1]);
    if (simple !== undefined) return [simple, pos + 2];
    if (this.#text[pos + 1] !== "u") throw this.#error("invalid escape sequence", pos);
    const unit = this.#hex4(pos + 2);
    if (unit >= 0xdc00 && unit <= 0xdfff) throw this.#error("unpaired surrogate escape", pos);
    if (unit < 0xd800 || unit > 0xdbff) return [String.fromCharCode(unit), pos + 6];
    // A high surrogate must be followed by an escaped low surrogate: strings
    // that are not valid Unicode cannot be tensor names.
    const low = this.#text.startsWith("\\u", pos + 6) ? this.#hex4(pos + 8) : -1;
    if (low < 0xdc00 || low > 0xdfff) throw this.#error("unpaired surrogate escape", pos);
    return [String.fromCharCode(unit, low), pos + 12];
  }

  #hex4(pos: number): number {
    const digits = this.#text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw this.#error("invalid \\u escape", pos - 2);
    return parseInt(digits, 16);
  }

  /** End of the number starting at `start` (equal to `start` when malformed). */
  #numberEnd(start: number): number {
    const text = this.#text;
    let pos = start;
    const digits = () => {
      const from = pos;
      while (text.charCodeAt(pos) >= 0x30 && text.charCodeAt(pos) <= 0x39) pos++;
      return pos - from;
    };
    if (text[pos] === "-") pos++;
    if (text[pos] === "0") pos++;
    else if (digits() === 0) return start;
    if (text[pos] === ".") {
      pos++;
      if (digits() === 0) return start;
    }
    if (text[pos] === "e" || text[pos] === "E") {
      pos++;
      if (text[pos] === "+" || text[pos] === "-") pos++;
      if (digits() === 0) return start;
    }
    return pos;
  }
}
