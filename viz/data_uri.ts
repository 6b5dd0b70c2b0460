/**
 * Data URIs, so that reports and composed figures carry their images inside
 * them instead of pointing at files.
 *
 * @module
 */

/** Base64 of arbitrary bytes (chunked, so large images do not overflow the call stack). */
export function toBase64(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let binary = "";
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A `data:` URI holding `bytes` with the given media type, e.g. "image/png". */
export function dataUri(bytes: Uint8Array, mediaType: string): string {
  return `data:${mediaType};base64,${toBase64(bytes)}`;
}
