/**
 * Checkpoints: a model's tensors, the optimizer's state, the RNG state, the
 * epoch and the training history in one safetensors file (tensors as F32/F64,
 * everything else as JSON strings in `__metadata__`), written atomically.
 * Restoring one and training on gives the same weights, bit for bit, as never
 * having stopped.
 *
 * @module
 */

import { FormatError, type Rng, Tensor } from "../autograd/mod.ts";
import type { EpochEnd } from "./fit.ts";
import type { History } from "./history.ts";
import type { Module } from "./module.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsTensor,
} from "../formats/safetensors/mod.ts";
import { readFileLimited, writeFileAtomic } from "../formats/files.ts";

/** Marks a file as an Inkling checkpoint, with its layout version. */
export const CHECKPOINT_FORMAT = "inkling-checkpoint/1";

/** What a checkpoint stores. */
export interface CheckpointState {
  /** The model (all state tensors are saved). */
  model: Module;
  /** Optimizer whose state buffers, rate and step count are saved. */
  optimizer?: Optimizer;
  /** Generator whose state is saved (batch order of the next epoch). */
  rng?: Rng;
  /** Number of finished epochs. */
  epoch?: number;
  /** Training history so far. */
  history?: History;
  /** Description of the architecture (JSON-serialisable), for loaders and reports. */
  architecture?: unknown;
}

/** A decoded checkpoint. */
export interface Checkpoint {
  /** Model tensors by state-dict name. */
  model: Record<string, Tensor>;
  /** Optimizer state tensors by `<slot>.<index>`. */
  optimizer: Record<string, Tensor>;
  /** Optimizer settings: class name, learning rate, steps taken. */
  optimizerInfo: { type: string; lr: number; steps: number } | null;
  /** RNG state, if saved. */
  rng: number[] | null;
  /** Finished epochs. */
  epoch: number;
  /** History, if saved. */
  history: History | null;
  /** Architecture description, if saved. */
  architecture: unknown;
}

function toStored(t: Tensor): SafetensorsTensor {
  return t.dtype === "float64"
    ? { dtype: "F64", shape: [...t.shape], data: t.data as Float64Array }
    : { dtype: "F32", shape: [...t.shape], data: t.data as Float32Array };
}

/** Encodes a checkpoint to bytes. */
export function encodeCheckpoint(state: CheckpointState): Uint8Array {
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, t] of Object.entries(state.model.stateDict())) {
    tensors[`model.${name}`] = toStored(t);
  }
  for (const [name, t] of Object.entries(state.optimizer?.stateTensors() ?? {})) {
    tensors[`optimizer.${name}`] = toStored(t);
  }
  const opt = state.optimizer;
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    epoch: String(state.epoch ?? 0),
    architecture: JSON.stringify(state.architecture ?? null),
    optimizer: JSON.stringify(
      opt ? { type: opt.constructor.name, lr: opt.lr, steps: opt.steps } : null,
    ),
    rng: JSON.stringify(state.rng?.getState() ?? null),
    history: JSON.stringify(state.history ?? null),
  };
  return encodeSafetensors(tensors, { metadata });
}

/** Writes a checkpoint to `path` atomically (temp file + rename). */
export async function saveCheckpoint(path: string, state: CheckpointState): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(state));
}

/** Decodes checkpoint bytes; every defect is a {@linkcode FormatError} naming `source`. */
export function decodeCheckpoint(bytes: Uint8Array, options: { source?: string } = {}): Checkpoint {
  const source = options.source ?? "checkpoint";
  const { tensors, metadata } = decodeSafetensors(bytes, { source });
  const fail = (message: string) => new FormatError(`${source}: ${message}`);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw fail(
      `not an Inkling checkpoint (metadata format is ${JSON.stringify(metadata.format ?? null)})`,
    );
  }
  const json = (key: string): unknown => {
    try {
      return JSON.parse(metadata[key] ?? "null");
    } catch {
      throw fail(`metadata "${key}" is not valid JSON`);
    }
  };
  const out: Checkpoint = {
    model: {},
    optimizer: {},
    optimizerInfo: json("optimizer") as Checkpoint["optimizerInfo"],
    rng: json("rng") as number[] | null,
    epoch: Number(metadata.epoch ?? 0),
    history: json("history") as History | null,
    architecture: json("architecture"),
  };
  if (!Number.isInteger(out.epoch) || out.epoch < 0) {
    throw fail(`epoch "${metadata.epoch}" is not a count`);
  }
  for (const [name, stored] of Object.entries(tensors)) {
    if (stored.dtype !== "F32" && stored.dtype !== "F64") {
      throw fail(`tensor "${name}" is ${stored.dtype}; checkpoints hold F32 or F64 tensors`);
    }
    const [group, ...rest] = name.split(".");
    const target = group === "model" ? out.model : group === "optimizer" ? out.optimizer : null;
    if (!target || rest.length === 0) {
      throw fail(`tensor "${name}" belongs to neither model nor optimizer`);
    }
    target[rest.join(".")] = new Tensor(stored.data, stored.shape);
  }
  return out;
}

/** Reads and decodes the checkpoint at `path`. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  return decodeCheckpoint(await readFileLimited(path, { what: "checkpoint" }), { source: path });
}

/**
 * Loads `path` into a model (and optimizer and rng, when given); returns the
 * epoch and history to resume from.
 */
export async function restoreCheckpoint(
  path: string,
  into: { model: Module; optimizer?: Optimizer; rng?: Rng },
): Promise<{ epoch: number; history: History | null }> {
  const checkpoint = await loadCheckpoint(path);
  into.model.loadStateDict(checkpoint.model);
  if (into.optimizer) {
    into.optimizer.loadStateTensors(checkpoint.optimizer);
    if (checkpoint.optimizerInfo) {
      into.optimizer.lr = checkpoint.optimizerInfo.lr;
      into.optimizer.steps = checkpoint.optimizerInfo.steps;
    }
  }
  if (into.rng && checkpoint.rng) into.rng.setState(checkpoint.rng);
  return { epoch: checkpoint.epoch, history: checkpoint.history };
}

/**
 * An `onEpochEnd` callback for {@linkcode fit} that saves a checkpoint after
 * every epoch. `fit` throws before the callbacks of an epoch whose loss
 * (at any step) or final weights are not finite, so the file always holds
 * the last good epoch.
 */
export function checkpointEachEpoch(
  path: string,
  options: { architecture?: unknown } = {},
): (info: EpochEnd) => Promise<void> {
  return (info) =>
    saveCheckpoint(path, {
      model: info.model,
      optimizer: info.optimizer,
      rng: info.rng,
      epoch: info.epoch + 1,
      history: info.history,
      architecture: options.architecture,
    });
}
