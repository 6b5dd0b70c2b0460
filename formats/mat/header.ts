/**
 * The 128-byte header of a MAT level 5 file (116 bytes of text, 8 bytes of
 * subsystem offset, version 0x0100, endian indicator `IM`/`MI`), and the
 * recognition of the files it is not: MAT v7.3 (HDF5), MAT v4, plain HDF5.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** Byte length of the level 5 header; data elements start here. */
export const HEADER_BYTES = 128;

const TEXT_BYTES = 116;
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** What {@linkcode parseMatHeader} learns from a level 5 header. */
export interface MatHeader {
  /** Descriptive text (trailing spaces and NULs removed). */
  readonly text: string;
  /** Byte order of every number in the file. */
  readonly littleEndian: boolean;
}

const RESAVE_HINT = "re-save it as a level 5 MAT-file: in MATLAB `save(filename, '-v7')` " +
  "(or '-v6'), in Python `scipy.io.savemat(filename, variables)`";

/**
 * Checks the header of a MAT-file and returns its byte order. Throws a
 * {@linkcode FormatError} naming `source` for anything but level 5; for MAT
 * v7.3 and v4 files the message says what the file is and how to re-save it.
 */
export function parseMatHeader(bytes: Uint8Array, source: string): MatHeader {
  if (startsWith(bytes, HDF5_SIGNATURE, 0)) {
    throw new FormatError(
      `${source} is an HDF5 file, not a MAT-file this reader understands; if it came from ` +
        `Python (h5py) or MATLAB -v7.3, ${RESAVE_HINT}`,
    );
  }
  if (bytes.length >= 4 && bytes.subarray(0, 4).includes(0)) {
    // Level 5 text must not have a zero in its first four bytes: MATLAB uses
    // exactly this test to recognise v4 files.
    if (looksLikeV4(bytes)) {
      throw new FormatError(
        `${source} is a MAT v4 file (the legacy format of MATLAB 4 and '-v4'), which this reader ` +
          `does not read; ${RESAVE_HINT} (scipy.io.loadmat reads v4, so ` +
          `\`scipy.io.savemat(out, scipy.io.loadmat(filename))\` converts it)`,
      );
    }
    throw new FormatError(`${source} is not a MAT-file (no level 5 header text)`);
  }
  if (bytes.length < HEADER_BYTES) {
    throw new FormatError(
      `${source} is not a MAT-file: ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  const indicator = String.fromCharCode(bytes[126], bytes[127]);
  if (indicator !== "IM" && indicator !== "MI") {
    throw new FormatError(
      `${source} is not a level 5 MAT-file: bytes 126-127 are not the endian indicator 'IM' or 'MI'`,
    );
  }
  const littleEndian = indicator === "IM";
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, littleEndian);
  if (version === 0x0200 || startsWith(bytes, HDF5_SIGNATURE, 512)) {
    throw new FormatError(
      `${source} is a MATLAB v7.3 MAT-file (an HDF5 container), which this reader does not read; ` +
        `${RESAVE_HINT} (Python reads v7.3 with h5py or the mat73 package)`,
    );
  }
  if (version !== 0x0100) {
    throw new FormatError(
      `${source}: unknown MAT-file version 0x${
        version.toString(16).padStart(4, "0")
      } (expected 0x0100)`,
    );
  }
  const text = new TextDecoder("latin1").decode(bytes.subarray(0, TEXT_BYTES))
    .replace(/[\0 ]+$/, "");
  return { text, littleEndian };
}

/** Builds a level 5 header with `text` (at most 116 ASCII characters, space padded). */
export function encodeMatHeader(text: string, littleEndian: boolean): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  header.fill(0x20, 0, TEXT_BYTES);
  for (let i = 0; i < Math.min(text.length, TEXT_BYTES); i++) {
    const code = text.charCodeAt(i);
    header[i] = code < 0x80 ? code : 0x3f;
  }
  // Bytes 116-123 (subsystem data offset) stay zero: no subsystem data.
  new DataView(header.buffer).setUint16(124, 0x0100, littleEndian);
  const indicator = littleEndian ? "IM" : "MI";
  header[126] = indicator.charCodeAt(0);
  header[127] = indicator.charCodeAt(1);
  return header;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at: number): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

/**
 * A v4 matrix header: five int32 (type MOPT, rows, columns, imagf, name length)
 * in either byte order, with MOPT = M*1000 + O*100 + P*10 + T where M is the
 * byte order (0-4), O is 0, P the storage type (0-5) and T the matrix type (0-2).
 */
function looksLikeV4(bytes: Uint8Array): boolean {
  if (bytes.length < 20) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 20);
  return [true, false].some((le) => {
    const mopt = view.getInt32(0, le);
    if (mopt < 0 || mopt > 4052) return false;
    const [m, o, p, t] = [
      Math.floor(mopt / 1000),
      Math.floor(mopt / 100) % 10,
      Math.floor(mopt / 10) % 10,
      mopt % 10,
    ];
    const rows = view.getInt32(4, le);
    const cols = view.getInt32(8, le);
    const nameLength = view.getInt32(16, le);
    return m <= 4 && o === 0 && p <= 5 && t <= 2 && rows >= 0 && cols >= 0 && nameLength > 0 &&
      nameLength < 1024;
  });
}
