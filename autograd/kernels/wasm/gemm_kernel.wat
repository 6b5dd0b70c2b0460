;; The gemm micro-kernel: one 6×8 tile of C from a packed 6-row panel of A and
;; a packed 8-column panel of B.
;;
;; Why 6×8: the tile lives in 12 f32x4 accumulators (6 rows × 2 vectors), plus
;; 2 registers for the B row and 1 for the broadcast A element = 15 of the 16
;; xmm registers V8 gives wasm on x64 (it keeps one as scratch). Measured on
;; the dev machine (AMD EPYC, L1-resident panels, kc = 256), relaxed build:
;; 4×8 58 GFLOP/s, 5×8 64, 6×8 66-68, 4×12 31 (spills), 8×4 46, 2×16 58.
;; Unrolling the k loop by 2 gained only 3%, so the loop stays simple.
;;
;; The plain build (build.ts rewrites every f32x4.relaxed_madd into
;; f32x4.add of f32x4.mul) needs one more temporary and spills at 6×8
;; (34 GFLOP/s against 51-54 for 4×8/5×8); it is the fallback for engines
;; without relaxed SIMD, and still well above the 20 GFLOP/s target.
;;
;; Packed layouts (see gemm_pack.wat): A panel p-major, 6 floats per step
;; (ap[p·6 + i]); B panel p-major, 8 floats per step (bp[p·8 + j]).

;; Writes (or, with $add, adds) one 8-float row of a tile at byte address $p.
(func $gemm_store_row (param $p i32) (param $lo v128) (param $hi v128) (param $add i32)
  (if (local.get $add)
    (then
      (local.set $lo (f32x4.add (local.get $lo) (v128.load (local.get $p))))
      (local.set $hi (f32x4.add (local.get $hi) (v128.load offset=16 (local.get $p))))))
  (v128.store (local.get $p) (local.get $lo))
  (v128.store offset=16 (local.get $p) (local.get $hi)))

;; C[0..6, 0..8] (=|+=) Σ_p ap[p, 0..6] ⊗ bp[p, 0..8] over $kc ≥ 1 steps.
;; $c is the byte address of the tile's top-left element, $ldc the byte
;; distance between rows of C; with $add the tile is added to C.
(func $gemm_tile_6x8
  (param $ap i32) (param $bp i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $add i32)
  (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
  (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
  (local $c40 v128) (local $c41 v128) (local $c50 v128) (local $c51 v128)
  (local $b0 v128) (local $b1 v128) (local $av v128)
  (loop $step
    (local.set $b0 (v128.load (local.get $bp)))
    (local.set $b1 (v128.load offset=16 (local.get $bp)))
    (local.set $av (v128.load32_splat offset=0 (local.get $ap)))
    (local.set $c00 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c00)))
    (local.set $c01 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c01)))
    (local.set $av (v128.load32_splat offset=4 (local.get $ap)))
    (local.set $c10 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c10)))
    (local.set $c11 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c11)))
    (local.set $av (v128.load32_splat offset=8 (local.get $ap)))
    (local.set $c20 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c20)))
    (local.set $c21 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c21)))
    (local.set $av (v128.load32_splat offset=12 (local.get $ap)))
    (local.set $c30 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c30)))
    (local.set $c31 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c31)))
    (local.set $av (v128.load32_splat offset=16 (local.get $ap)))
    (local.set $c40 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c40)))
    (local.set $c41 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c41)))
    (local.set $av (v128.load32_splat offset=20 (local.get $ap)))
    (local.set $c50 (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $c50)))
    (local.set $c51 (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $c51)))
    (local.set $ap (i32.add (local.get $ap) (i32.const 24)))
    (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
    (br_if $step (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
  (call $gemm_store_row (local.get $c) (local.get $c00) (local.get $c01) (local.get $add))
  (local.set $c (i32.add (local.get $c) (local.get $ldc)))
  (call $gemm_store_row (local.get $c) (local.get $c10) (local.get $c11) (local.get $add))
  (local.set $c (i32.add (local.get $c) (local.get $ldc)))
  (call $gemm_store_row (local.get $c) (local.get $c20) (local.get $c21) (local.get $add))
  (local.set $c (i32.add (local.get $c) (local.get $ldc)))
  (call $gemm_store_row (local.get $c) (local.get $c30) (local.get $c31) (local.get $add))
  (local.set $c (i32.add (local.get $c) (local.get $ldc)))
  (call $gemm_store_row (local.get $c) (local.get $c40) (local.get $c41) (local.get $add))
  (local.set $c (i32.add (local.get $c) (local.get $ldc)))
  (call $gemm_store_row (local.get $c) (local.get $c50) (local.get $c51) (local.get $add)))

;; Merges the valid $mr×$nr corner of the edge tile at $tile (rows of 8
;; floats) into C at byte address $c with row distance $ldc bytes; adds with
;; $add.
(func $gemm_merge_edge
  (param $tile i32) (param $c i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $add i32)
  (local $j i32) (local $v f32)
  (loop $row
    (local.set $j (i32.const 0))
    (loop $col
      (local.set $v (f32.load (i32.add (local.get $tile) (i32.shl (local.get $j) (i32.const 2)))))
      (if (local.get $add)
        (then
          (local.set $v
            (f32.add (local.get $v)
              (f32.load (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2)))))))
      )
      (f32.store (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $v))
      (br_if $col (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nr))))
    (local.set $tile (i32.add (local.get $tile) (i32.const 32)))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (br_if $row (local.tee $mr (i32.sub (local.get $mr) (i32.const 1))))))
