;; gemm driver: C (m×n) (=|+=) op(A)·op(B), blocked in the usual GotoBLAS way.
;;
;;   for each block of KC inner indices (pc):
;;     pack B[pc.., all columns] into 8-column panels      (KC × n, L2/L3)
;;     for each block of MC rows (ic):
;;       pack A[ic.., pc..] into 6-row panels              (MC × KC, L2)
;;       for each 8-column panel (jr), each 6-row panel (ir): micro-kernel
;;
;; The B micro-panel (KC·8 floats = 8 KiB) stays in L1 while the kernel runs
;; down all row panels of the A block. The first KC block overwrites C (unless
;; accumulating), later blocks add to it, so C is never cleared separately.

;; Rows of A packed per block and inner indices per block. KC = 256 keeps a B
;; micro-panel at 8 KiB; MC = 96 keeps the packed A block at 96 KiB (L2).
;; Measured GFLOP/s (relaxed build, wasm call only) for 32×1024×64,
;; 256×1024×256, 1024³: MC 96 KC 256: 48.6, 63.4, 65.4; MC 48: 49.5, 62.6,
;; 63.6; MC 192: 50.0, 62.8, 64.5; KC 128: 48.4, 60.6, 62.0; KC 512: 49.9,
;; 62.4, 65.6 — flat within noise, so the textbook sizes stay.
(global $GEMM_MC (export "GEMM_MC") i32 (i32.const 96))
(global $GEMM_KC (export "GEMM_KC") i32 (i32.const 256))

;; Flag bits of the exported gemm.
(global $GEMM_TRANS_A i32 (i32.const 1))
(global $GEMM_TRANS_B i32 (i32.const 2))
(global $GEMM_ACCUMULATE i32 (i32.const 4))

(func $min_u (param $x i32) (param $y i32) (result i32)
  (select (local.get $x) (local.get $y) (i32.lt_u (local.get $x) (local.get $y))))

;; Runs the micro-kernels over one packed A block (mc rows) and the packed B
;; block (all n columns): C rows start at byte address $c, $ldc bytes apart.
;; $edge is the byte address of a 256-byte edge tile (one per thread).
(func $gemm_block
  (param $ap i32) (param $bp i32) (param $c i32) (param $mc i32) (param $n i32) (param $kc i32)
  (param $ldc i32) (param $add i32) (param $edge i32)
  (local $jr i32) (local $ir i32) (local $mr i32) (local $nr i32) (local $cp i32)
  (loop $cols
    (local.set $nr (call $min_u (i32.const 8) (i32.sub (local.get $n) (local.get $jr))))
    (local.set $ir (i32.const 0))
    (loop $rows
      (local.set $mr (call $min_u (i32.const 6) (i32.sub (local.get $mc) (local.get $ir))))
      (local.set $cp
        (i32.add (local.get $c)
          (i32.add (i32.mul (local.get $ir) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 2)))))
      (if (i32.and (i32.eq (local.get $mr) (i32.const 6)) (i32.eq (local.get $nr) (i32.const 8)))
        (then
          (call $gemm_tile_6x8
            (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
            (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
            (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $add)))
        (else
          (call $gemm_tile_6x8
            (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 2)))
            (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2)))
            (local.get $kc) (local.get $edge) (i32.const 32) (i32.const 0))
          (call $gemm_merge_edge
            (local.get $edge) (local.get $cp) (local.get $ldc) (local.get $mr) (local.get $nr)
            (local.get $add))))
      (br_if $rows (i32.lt_u (local.tee $ir (i32.add (local.get $ir) (i32.const 6))) (local.get $mc))))
    (br_if $cols (i32.lt_u (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $n)))))

;; C = op(A)·op(B), or C += with the accumulate flag; m, n, k ≥ 1. Operands
;; are byte addresses of row-major f32 matrices; $flags holds GEMM_TRANS_A,
;; GEMM_TRANS_B, GEMM_ACCUMULATE; $work is scratch for the packed blocks:
;; MC·KC floats of A, then KC·n8 floats of B (n8 = n rounded up to 8).
(func (export "gemm")
  (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32) (param $k i32)
  (param $flags i32) (param $work i32)
  (call $gemm_on (local.get $a) (local.get $b) (local.get $c) (local.get $m) (local.get $n) (local.get $k)
    (local.get $flags) (local.get $work) (global.get $GEMM_EDGE_TILE)))

;; gemm with the edge tile at $edge (256 bytes): two products running side by
;; side on one memory (the convolution lanes of conv_lanes.wat) each need
;; their own.
(func $gemm_on
  (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $n i32) (param $k i32)
  (param $flags i32) (param $work i32) (param $edge i32)
  (local $ars i32) (local $acs i32) (local $brs i32) (local $bcs i32) (local $bp i32)
  (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32) (local $r i32) (local $add i32)
  ;; Element (i, p) of op(A) is at a + i·ars + p·acs; (p, j) of op(B) at b + p·brs + j·bcs.
  (if (i32.and (local.get $flags) (global.get $GEMM_TRANS_A))
    (then (local.set $ars (i32.const 1)) (local.set $acs (local.get $m)))
    (else (local.set $ars (local.get $k)) (local.set $acs (i32.const 1))))
  (if (i32.and (local.get $flags) (global.get $GEMM_TRANS_B))
    (then (local.set $brs (i32.const 1)) (local.set $bcs (local.get $k)))
    (else (local.set $brs (local.get $n)) (local.set $bcs (i32.const 1))))
  (local.set $bp
    (i32.add (local.get $work) (i32.shl (i32.mul (global.get $GEMM_MC) (global.get $GEMM_KC)) (i32.const 2))))
  (loop $kblocks
    (local.set $kc (call $min_u (global.get $GEMM_KC) (i32.sub (local.get $k) (local.get $pc))))
    (local.set $add
      (i32.or (i32.ne (local.get $pc) (i32.const 0))
        (i32.ne (i32.and (local.get $flags) (global.get $GEMM_ACCUMULATE)) (i32.const 0))))
    (local.set $r (i32.const 0))
    (loop $bpanels
      (call $gemm_pack
        (i32.add (local.get $b)
          (i32.shl
            (i32.add (i32.mul (local.get $pc) (local.get $brs)) (i32.mul (local.get $r) (local.get $bcs)))
            (i32.const 2)))
        (local.get $bcs) (local.get $brs) (i32.const 8)
        (call $min_u (i32.const 8) (i32.sub (local.get $n) (local.get $r)))
        (local.get $kc)
        (i32.add (local.get $bp) (i32.shl (i32.mul (local.get $r) (local.get $kc)) (i32.const 2))))
      (br_if $bpanels (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 8))) (local.get $n))))
    (local.set $ic (i32.const 0))
    (loop $mblocks
      (local.set $mc (call $min_u (global.get $GEMM_MC) (i32.sub (local.get $m) (local.get $ic))))
      (local.set $r (i32.const 0))
      (loop $apanels
        (call $gemm_pack
          (i32.add (local.get $a)
            (i32.shl
              (i32.add
                (i32.mul (i32.add (local.get $ic) (local.get $r)) (local.get $ars))
                (i32.mul (local.get $pc) (local.get $acs)))
              (i32.const 2)))
          (local.get $ars) (local.get $acs) (i32.const 6)
          (call $min_u (i32.const 6) (i32.sub (local.get $mc) (local.get $r)))
          (local.get $kc)
          (i32.add (local.get $work) (i32.shl (i32.mul (local.get $r) (local.get $kc)) (i32.const 2))))
        (br_if $apanels (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 6))) (local.get $mc))))
      (call $gemm_block
        (local.get $work) (local.get $bp)
        (i32.add (local.get $c) (i32.shl (i32.mul (local.get $ic) (local.get $n)) (i32.const 2)))
        (local.get $mc) (local.get $n) (local.get $kc) (i32.shl (local.get $n) (i32.const 2))
        (local.get $add) (local.get $edge))
      (br_if $mblocks
        (i32.lt_u (local.tee $ic (i32.add (local.get $ic) (global.get $GEMM_MC))) (local.get $m))))
    (br_if $kblocks
      (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (global.get $GEMM_KC))) (local.get $k)))))

;; The threaded gemm (threads/ runs it): the same product cut into tasks
;; that threads claim in any order. Both operands are packed once, whole,
;; into the panels the micro-kernel streams — KC block by KC block, so block
;; pc of packed A (m rounded up to 6 rows) starts at float pc·m6 and its panel
;; of rows r.. at pc·m6 + r·kc; packed B likewise with n8 — and then every
;; task computes one tile of C with $gemm_block. An element of C is computed
;; by exactly one task, with the same KC blocks and the same micro-kernel
;; steps as the single-threaded gemm above, so its bits depend neither on the
;; tiling nor on the thread count.

;; Packs lines [$r0, min($r1, $lines)) of an operand, all KC blocks, into
;; $w-wide panels at $dst (layout above); element (r, p) of the operand is at
;; element offset r·$sr + p·$sp from $x, as for $gemm_pack.
(func $gemm_pack_lines
  (param $x i32) (param $sr i32) (param $sp i32) (param $w i32) (param $lines i32) (param $k i32)
  (param $dst i32) (param $r0 i32) (param $r1 i32)
  (local $pc i32) (local $kc i32) (local $r i32) (local $padded i32)
  (local.set $padded
    (i32.mul (i32.div_u (i32.add (local.get $lines) (i32.sub (local.get $w) (i32.const 1))) (local.get $w))
      (local.get $w)))
  (local.set $r1 (call $min_u (local.get $r1) (local.get $lines)))
  (loop $kblocks
    (local.set $kc (call $min_u (global.get $GEMM_KC) (i32.sub (local.get $k) (local.get $pc))))
    (local.set $r (local.get $r0))
    (loop $panels
      (call $gemm_pack
        (i32.add (local.get $x)
          (i32.shl
            (i32.add (i32.mul (local.get $r) (local.get $sr)) (i32.mul (local.get $pc) (local.get $sp)))
            (i32.const 2)))
        (local.get $sr) (local.get $sp) (local.get $w)
        (call $min_u (local.get $w) (i32.sub (local.get $lines) (local.get $r)))
        (local.get $kc)
        (i32.add (local.get $dst)
          (i32.shl
            (i32.add (i32.mul (local.get $pc) (local.get $padded)) (i32.mul (local.get $r) (local.get $kc)))
            (i32.const 2))))
      (br_if $panels (i32.lt_u (local.tee $r (i32.add (local.get $r) (local.get $w))) (local.get $r1))))
    (br_if $kblocks
      (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (global.get $GEMM_KC))) (local.get $k)))))

;; Runs task $t of the threaded gemm described by the i32 block at $job:
;;   0 a, 4 b, 8 c (byte addresses as for gemm), 12 m, 16 n, 20 k, 24 flags,
;;   28 packed A, 32 packed B, 36 A-packing tasks, 40 B-packing tasks,
;;   44 rows each A-packing task packs (a multiple of 6), 48 columns each
;;   B-packing task packs (a multiple of 8), 52 tile rows, 56 tile columns,
;;   60 rows per tile (a multiple of 6), 64 columns per tile (a multiple of 8),
;;   68 the edge tiles (256 bytes per thread).
;; The packing tasks come first (A's, then B's); the rest, which must wait
;; until every packing task is done, compute one tile of C each, row-major
;; over the tile grid. $slot picks the calling thread's edge tile.
(func (export "gemm_task") (param $job i32) (param $t i32) (param $slot i32)
  (local $m i32) (local $n i32) (local $k i32) (local $flags i32) (local $packs i32) (local $cols i32)
  (local $lo i32) (local $hi i32) (local $tm i32) (local $tn i32) (local $i0 i32) (local $j0 i32)
  (local $pc i32) (local $kc i32) (local $m6 i32) (local $n8 i32)
  (local.set $m (i32.load offset=12 (local.get $job)))
  (local.set $n (i32.load offset=16 (local.get $job)))
  (local.set $k (i32.load offset=20 (local.get $job)))
  (local.set $flags (i32.load offset=24 (local.get $job)))
  (local.set $packs (i32.load offset=36 (local.get $job)))
  (if (i32.lt_u (local.get $t) (local.get $packs))
    (then
      (local.set $lo (i32.mul (local.get $t) (i32.load offset=44 (local.get $job))))
      (local.set $hi (i32.add (local.get $lo) (i32.load offset=44 (local.get $job))))
      ;; op(A) row r, inner index p: a + r·k + p, or a + r + p·m when transposed.
      (if (i32.and (local.get $flags) (global.get $GEMM_TRANS_A))
        (then
          (call $gemm_pack_lines (i32.load (local.get $job)) (i32.const 1) (local.get $m) (i32.const 6)
            (local.get $m) (local.get $k) (i32.load offset=28 (local.get $job)) (local.get $lo) (local.get $hi)))
        (else
          (call $gemm_pack_lines (i32.load (local.get $job)) (local.get $k) (i32.const 1) (i32.const 6)
            (local.get $m) (local.get $k) (i32.load offset=28 (local.get $job)) (local.get $lo) (local.get $hi))))
      (return)))
  (local.set $t (i32.sub (local.get $t) (local.get $packs)))
  (local.set $packs (i32.load offset=40 (local.get $job)))
  (if (i32.lt_u (local.get $t) (local.get $packs))
    (then
      (local.set $lo (i32.mul (local.get $t) (i32.load offset=48 (local.get $job))))
      (local.set $hi (i32.add (local.get $lo) (i32.load offset=48 (local.get $job))))
      ;; op(B) column j, inner index p: b + p·n + j, or b + p + j·k when transposed.
      (if (i32.and (local.get $flags) (global.get $GEMM_TRANS_B))
        (then
          (call $gemm_pack_lines (i32.load offset=4 (local.get $job)) (local.get $k) (i32.const 1) (i32.const 8)
            (local.get $n) (local.get $k) (i32.load offset=32 (local.get $job)) (local.get $lo) (local.get $hi)))
        (else
          (call $gemm_pack_lines (i32.load offset=4 (local.get $job)) (i32.const 1) (local.get $n) (i32.const 8)
            (local.get $n) (local.get $k) (i32.load offset=32 (local.get $job)) (local.get $lo) (local.get $hi))))
      (return)))
  (local.set $t (i32.sub (local.get $t) (local.get $packs)))
  (local.set $cols (i32.load offset=56 (local.get $job)))
  (local.set $tm (i32.load offset=60 (local.get $job)))
  (local.set $tn (i32.load offset=64 (local.get $job)))
  (local.set $i0 (i32.mul (i32.div_u (local.get $t) (local.get $cols)) (local.get $tm)))
  (local.set $j0 (i32.mul (i32.rem_u (local.get $t) (local.get $cols)) (local.get $tn)))
  (local.set $m6 (i32.mul (i32.div_u (i32.add (local.get $m) (i32.const 5)) (i32.const 6)) (i32.const 6)))
  (local.set $n8 (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8)))
  (loop $kblocks
    (local.set $kc (call $min_u (global.get $GEMM_KC) (i32.sub (local.get $k) (local.get $pc))))
    (call $gemm_block
      (i32.add (i32.load offset=28 (local.get $job))
        (i32.shl
          (i32.add (i32.mul (local.get $pc) (local.get $m6)) (i32.mul (local.get $i0) (local.get $kc)))
          (i32.const 2)))
      (i32.add (i32.load offset=32 (local.get $job))
        (i32.shl
          (i32.add (i32.mul (local.get $pc) (local.get $n8)) (i32.mul (local.get $j0) (local.get $kc)))
          (i32.const 2)))
      (i32.add (i32.load offset=8 (local.get $job))
        (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $n)) (local.get $j0)) (i32.const 2)))
      (call $min_u (local.get $tm) (i32.sub (local.get $m) (local.get $i0)))
      (call $min_u (local.get $tn) (i32.sub (local.get $n) (local.get $j0)))
      (local.get $kc)
      (i32.shl (local.get $n) (i32.const 2))
      (i32.or (i32.ne (local.get $pc) (i32.const 0))
        (i32.ne (i32.and (local.get $flags) (global.get $GEMM_ACCUMULATE)) (i32.const 0)))
      (i32.add (i32.load offset=68 (local.get $job)) (i32.shl (local.get $slot) (i32.const 8))))
    (br_if $kblocks
      (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (global.get $GEMM_KC))) (local.get $k)))))
