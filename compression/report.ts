/**
 * The output directory of `deno task compress`: figures (SVG + PNG),
 * report.md and a self-contained report.html with the PSNR and parameter
 * table, and report.json with the headline numbers for scripts.
 *
 * @module
 */

import type { Tensor } from "../autograd/mod.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { NIST36_CLASSES } from "../datasets/nist36.ts";
import { type NamedFigureSection, writeReport } from "../viz/mod.ts";
import type { CompressionComparison, PcaRun } from "./compare.ts";
import { componentsFigure, lossFigure, reconstructionFigure, spectrumFigure } from "./figures.ts";
import {
  discardedEnergy,
  numericalRank,
  orthonormalityError,
  pcaReconstruct,
  projectionRank,
} from "./pca.ts";

/** Everything the report shows besides the comparison itself. */
export interface CompressionReportInput {
  /** The comparison to report. */
  result: CompressionComparison;
  /** Training images (for the PCA residual check) and validation images with labels (figure). */
  data: { train: Tensor; valid: { x: Tensor; labels: Int32Array } };
  /** Where the data came from, for the text. */
  dataNote: string;
  /** Classes shown in the reconstruction figure (default A, H, O, V, 2). */
  classes?: readonly number[];
}

/** The headline numbers, as written to report.json. */
export interface CompressionSummary {
  /** Autoencoder mean PSNR on validation images, dB. */
  ae_psnr_valid: number;
  /** Autoencoder mean PSNR on test images, dB. */
  ae_psnr_test: number;
  /** PCA mean PSNR on validation images, dB. */
  pca_psnr_valid: number;
  /** PCA mean PSNR on test images, dB. */
  pca_psnr_test: number;
  /** Whether the PCA numbers are for centred PCA. */
  pca_centered: boolean;
  /** Trainable parameters of the autoencoder. */
  ae_params: number;
  /** Numbers PCA stores (components, plus the mean when centred). */
  pca_params: number;
  /** Components kept. */
  pca_components: number;
  /** Shape of the projection matrix V·Vᵀ. */
  pca_projection_shape: [number, number];
  /** Its numerical rank. */
  pca_projection_rank: number;
  /** Numerical rank of the (centred, if so) training matrix. */
  train_matrix_rank: number;
  /** max |VᵀV − I|. */
  pca_orthonormality_error: number;
  /** Total squared reconstruction error of the training images. */
  pca_train_residual: number;
  /** Sum of the discarded squared singular values (should equal the residual). */
  pca_discarded_energy: number;
  /** Wall time of the PCA fit, seconds. */
  pca_fit_seconds: number;
  /** Mean PSNR of PCA with the other centring, validation and test. */
  pca_other_psnr_valid: number;
  /** See pca_other_psnr_valid. */
  pca_other_psnr_test: number;
  /** Wall time of the autoencoder's training loop, validation passes included, seconds. */
  ae_train_seconds: number;
  /** Autoencoder settings. */
  ae_settings: CompressionComparison["settings"]["autoencoder"];
  /** Per-epoch training loss (per image). */
  ae_train_loss: number[];
  /** Per-epoch validation loss (per image). */
  ae_valid_loss: number[];
}

const encoder = new TextEncoder();
const DEFAULT_CLASSES = ["A", "H", "O", "V", "2"].map((c) => NIST36_CLASSES.indexOf(c));

function squaredDistance(a: Tensor, b: Tensor): number {
  let total = 0;
  for (let i = 0; i < a.size; i++) total += (a.data[i] - b.data[i]) ** 2;
  return total;
}

/** The numbers of report.json (also the tables of the report). */
export function summarize(result: CompressionComparison, train: Tensor): CompressionSummary {
  const { pca } = result.pca;
  const d = pca.components.shape[0];
  const h = result.autoencoder.history;
  return {
    ae_psnr_valid: result.autoencoderPsnr.valid,
    ae_psnr_test: result.autoencoderPsnr.test,
    pca_psnr_valid: result.pca.psnr.valid,
    pca_psnr_test: result.pca.psnr.test,
    pca_centered: pca.mean !== null,
    ae_params: result.autoencoderParams,
    pca_params: result.pca.params,
    pca_components: pca.components.shape[1],
    pca_projection_shape: [d, d],
    pca_projection_rank: projectionRank(pca),
    train_matrix_rank: numericalRank(pca.eigenvalues, d),
    pca_orthonormality_error: orthonormalityError(pca),
    pca_train_residual: squaredDistance(
      train,
      pcaReconstruct(pca, train.clone({ dtype: "float64" })),
    ),
    pca_discarded_energy: discardedEnergy(pca),
    pca_fit_seconds: result.pca.seconds,
    pca_other_psnr_valid: result.otherPca.psnr.valid,
    pca_other_psnr_test: result.otherPca.psnr.test,
    ae_train_seconds: result.autoencoder.seconds,
    ae_settings: result.settings.autoencoder,
    ae_train_loss: h.train_loss,
    ae_valid_loss: h.valid_loss,
  };
}

/** Writes figures, report.md, report.html and report.json into `dir`; returns the report.md path. */
export async function writeCompressionReport(
  dir: string,
  input: CompressionReportInput,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const { result } = input;
  const summary = summarize(result, input.data.train);
  await writeFileAtomic(
    `${dir}/report.json`,
    encoder.encode(JSON.stringify(summary, null, 2) + "\n"),
  );
  const figures: Record<string, string> = {
    loss: lossFigure(result),
    reconstructions: await reconstructionFigure(result, input.data.valid, {
      classes: input.classes ?? DEFAULT_CLASSES,
      perClass: 2,
    }),
    components: await componentsFigure(result),
    spectrum: spectrumFigure(result),
  };
  return await writeReport(dir, {
    title: TITLE,
    figures,
    sections: reportSections(input, summary),
  });
}

const TITLE = "NIST36 compression: autoencoder against PCA";

const pcaLabel = (run: PcaRun) => `PCA, ${run.pca.mean ? "centred" : "uncentred"}`;

function reportSections(
  input: CompressionReportInput,
  s: CompressionSummary,
): NamedFigureSection[] {
  const { result } = input;
  const a = result.settings.autoencoder;
  const k = s.pca_components;
  const [d] = s.pca_projection_shape;
  const relative = (s.pca_train_residual - s.pca_discarded_energy) / s.pca_discarded_energy;
  return [
    {
      heading: "Setup",
      text: `${input.dataNote}\n\n` +
        `Autoencoder ${d}-${a.hidden}(ReLU)-${a.hidden}(ReLU)-${a.hidden}(ReLU)-${d}(sigmoid), ` +
        `Xavier-uniform initialisation, total squared error summed over the batch, SGD with ` +
        `momentum ${a.momentum} (M ← ${a.momentum}·M − α·∂J/∂W, W ← W + M), α = ${a.lr}, ` +
        `batch ${a.batchSize}, ${a.epochs} epochs, seed ${a.seed}.\n\n` +
        `PCA: the ${k} leading eigenvectors of the ${d}×${d} Gram matrix XᵀX of the training ` +
        `images (float32 products on the engine's matmul, summed in float64; Householder ` +
        `tridiagonalisation, implicit QL, inverse iteration). The headline PCA numbers are ` +
        `${s.pca_centered ? "centred (training mean subtracted and added back)" : "uncentred"}; ` +
        `the other variant is listed for comparison. PSNR is 20·log10(1) − 10·log10(MSE) per ` +
        `image, averaged; PCA reconstructions are not clipped to [0, 1].`,
    },
    {
      heading: "Results",
      table: {
        header: ["method", "parameters", "PSNR validation (dB)", "PSNR test (dB)", "fit time (s)"],
        rows: [
          ["autoencoder", s.ae_params, s.ae_psnr_valid, s.ae_psnr_test, s.ae_train_seconds],
          [
            pcaLabel(result.pca),
            s.pca_params,
            s.pca_psnr_valid,
            s.pca_psnr_test,
            s.pca_fit_seconds,
          ],
          [
            pcaLabel(result.otherPca),
            result.otherPca.params,
            s.pca_other_psnr_valid,
            s.pca_other_psnr_test,
            result.otherPca.seconds,
          ],
        ],
      },
      text: `Parameters: the autoencoder's weights and biases; for PCA the ${d}×${k} components ` +
        `(plus the ${d}-value mean when centred). The autoencoder's time includes a validation ` +
        `pass after every epoch.`,
    },
    {
      heading: "PCA checks",
      table: {
        header: ["measure", "value"],
        rows: [
          ["projection matrix V·Vᵀ", `${d}×${d} (${d * d} entries)`],
          ["rank of the projection matrix", s.pca_projection_rank],
          [
            `rank of the training matrix (${s.pca_centered ? "centred" : "uncentred"})`,
            s.train_matrix_rank,
          ],
          ["max |VᵀV − I|", s.pca_orthonormality_error.toExponential(2)],
          ["training residual ‖X − X̂‖²", s.pca_train_residual.toFixed(2)],
          ["Σ discarded squared singular values", s.pca_discarded_energy.toFixed(2)],
          ["relative difference", relative.toExponential(2)],
        ],
      },
    },
    { heading: "Autoencoder loss", figure: "loss" },
    {
      heading: "Reconstructions",
      text: "Two validation images of each class, the same images in every panel.",
      figure: "reconstructions",
    },
    { heading: "PCA basis", figure: "components" },
    {
      heading: "Spectrum",
      text: `Pixels that are white in every training image make the training matrix ` +
        `rank-deficient (rank ${s.train_matrix_rank} of ${d}); the remaining eigenvalues are ` +
        `zero to rounding and are left out of the log-scale plot.`,
      figure: "spectrum",
    },
  ];
}
