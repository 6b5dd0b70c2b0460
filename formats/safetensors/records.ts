/**
 * Safe construction of records keyed by names read from files.
 *
 * @module
 */

/**
 * Sets `record[key] = value` as an own, enumerable property. Plain assignment
 * would, for the key `__proto__`, replace the record's prototype instead.
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
