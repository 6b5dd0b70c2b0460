;; Memory layout shared by every fragment (build.ts wraps the fragments in one
;; `(module …)`, this one first).
;;
;; Bytes [0, 256) are fixed scratch owned by the kernels themselves: the gemm
;; edge tile (6 rows × 8 columns of f32 = 192 bytes). Everything from
;; $SCRATCH_BASE up is the call scratch the TypeScript side manages: it copies
;; the operands there, passes their byte addresses, and grows the memory when
;; a call needs more (exported as "memory").

(memory (export "memory") 1)

;; Where the TypeScript side may start placing operands.
(global $SCRATCH_BASE (export "SCRATCH_BASE") i32 (i32.const 256))

;; The gemm edge tile: a full 6×8 micro-tile is written here when the real
;; tile at the matrix border is smaller, then the valid part is merged into C.
(global $GEMM_EDGE_TILE i32 (i32.const 0))
