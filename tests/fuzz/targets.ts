/**
 * Every fuzz target, one per format, by the name `--format` takes: `mat`,
 * `idx`, `idx.gz`, `safetensors`, `unipen`, `tar`, `tar.gz`, `zip`,
 * `checkpoint`, `image` and `onnx`. The targets themselves live in the files named
 * after what they read (in-memory formats, archives, files, images).
 *
 * @module
 */

import { ARCHIVE_TARGETS } from "./archive_targets.ts";
import { FILE_TARGETS } from "./file_targets.ts";
import { FORMAT_TARGETS } from "./format_targets.ts";
import { IMAGE_TARGET } from "./image_target.ts";
import { ONNX_TARGET } from "./onnx_target.ts";
import type { FuzzTarget } from "./target.ts";

export type { FuzzTarget, PreparedTarget, RunContext } from "./target.ts";

/** All targets, in the order `--format all` runs them. */
export const TARGETS: readonly FuzzTarget[] = [
  ...FORMAT_TARGETS,
  FILE_TARGETS[0],
  ...ARCHIVE_TARGETS,
  FILE_TARGETS[1],
  IMAGE_TARGET,
  ONNX_TARGET,
];

/** The target called `name`, or undefined. */
export function findTarget(name: string): FuzzTarget | undefined {
  return TARGETS.find((target) => target.name === name);
}
