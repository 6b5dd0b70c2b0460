/**
 * Image compression on NIST36, the assignment's comparison: a
 * 1024-32-32-32-1024 autoencoder trained with momentum SGD against PCA with 32
 * components, judged by PSNR. PCA goes through the 1024×1024 Gram matrix and a
 * symmetric eigensolver written here (Householder tridiagonalisation, implicit
 * QL, inverse iteration), exact to float precision; for a few components of
 * many dimensions a block Krylov method finds the top eigenpairs without
 * forming the Gram matrix, several times faster; `deno task compress` writes the
 * report with figures, tables and report.json. An application: it imports the
 * library (engine, layers, formats, data sets, figures, the command-line
 * helper) and no other application.
 *
 * @module
 */

export * from "./psnr.ts";
export * from "./tridiagonalize.ts";
export * from "./tridiagonal_eigen.ts";
export * from "./symmetric_eigen.ts";
export * from "./gram.ts";
export * from "./block_krylov.ts";
export * from "./pca.ts";
export * from "./autoencoder.ts";
export * from "./compare.ts";
export * from "./figures.ts";
export * from "./report.ts";
