/**
 * Inkling: a Deno-native deep-learning library with a readable tape-based
 * autograd engine, built for learning how neural networks work and for
 * reading handwriting.
 *
 * @example
 * ```ts
 * import { gradcheck, matmul, randn, sigmoid, sum } from "@inkling/inkling";
 * const w = randn([3, 2], { dtype: "float64", requiresGrad: true });
 * const x = randn([4, 3], { dtype: "float64" });
 * const loss = sum(sigmoid(matmul(x, w)));
 * loss.backward();
 * console.log(w.grad?.toArray());
 * ```
 *
 * @module
 */

export * from "./autograd/mod.ts";
