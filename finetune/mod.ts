/**
 * Fine-tuning on Flowers 17 (the seed's Q7.2), `deno task finetune`: the
 * split decoded once ({@linkcode loadFlowerSplit}); mode "head" trains
 * SqueezeNet's new classifier (dropout, 1 × 1 conv 512 → 17, ReLU, global
 * average pool) on features onnxruntime computes once per image and
 * augmentation variant ({@linkcode runHeadMode}); mode "full" fine-tunes the
 * engine's own imported SqueezeNet end to end with a lower backbone rate
 * ({@linkcode runFullMode}, {@linkcode GroupedOptimizer}); mode "scratch"
 * trains three conv and two fully connected layers at 64 px
 * ({@linkcode runScratchMode}); the report compares them and checks the
 * engine against onnxruntime. An application: it imports the engine,
 * layers, formats, data sets, figures, `onnx/` and the command-line helper,
 * and no other application.
 *
 * @module
 */

export * from "./settings.ts";
export * from "./flower_images.ts";
export * from "./image_augment.ts";
export * from "./param_groups.ts";
export * from "./networks.ts";
export * from "./mode_result.ts";
export * from "./train_and_test.ts";
export * from "./onnx_features.ts";
export * from "./parity.ts";
export * from "./train_head.ts";
export * from "./train_full.ts";
export * from "./train_scratch.ts";
export * from "./train_modes.ts";
export * from "./figures.ts";
export * from "./report.ts";
