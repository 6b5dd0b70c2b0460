/**
 * The record of a training run, epoch by epoch, as {@linkcode fit} returns it
 * and checkpoints store it. Its own module so that the progress display and
 * checkpoints can read it without importing the training loop.
 *
 * @module
 */

/** Per-epoch record of a training run (arrays indexed by epoch). */
export interface History {
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  train_loss: number[];
  /** Training accuracy over the epoch. */
  train_acc: number[];
  /** Validation loss after the epoch (empty without a validation set). */
  valid_loss: number[];
  /** Validation accuracy after the epoch. */
  valid_acc: number[];
  /** Learning rate used in the epoch. */
  lr: number[];
}
