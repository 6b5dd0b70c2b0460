;; Packing for gemm: copies a block of A or B into the p-major panels the
;; micro-kernel streams (gemm_kernel.wat), so the kernel reads both operands
;; contiguously whatever the transposition of the stored matrices.
;;
;; One routine serves both operands. A panel is $kc steps of $w floats:
;; dst[p·w + r] = element (r, p) of the source, which lives at element offset
;; r·$sr + p·$sp from $src. For A (w = 6) r is the row of C and p the inner
;; index; for B (w = 8) r is the column of C. Exactly one of the strides is 1
;; for every layout gemm meets: A as stored (sp = 1), A transposed (sr = 1),
;; B as stored (sr = 1), B transposed (sp = 1).

;; Copies one source line that is contiguous along p ($kc floats from $src)
;; into panel slot r: consecutive floats land $step bytes apart in $dst.
;; Four floats per iteration: one vector load, four lane stores.
(func $gemm_pack_line (param $src i32) (param $kc i32) (param $dst i32) (param $step i32)
  (local $v v128)
  (block $tail
    (loop $quad
      (br_if $tail (i32.lt_u (local.get $kc) (i32.const 4)))
      (local.set $v (v128.load (local.get $src)))
      (f32.store (local.get $dst) (f32x4.extract_lane 0 (local.get $v)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (f32.store (local.get $dst) (f32x4.extract_lane 1 (local.get $v)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (f32.store (local.get $dst) (f32x4.extract_lane 2 (local.get $v)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (f32.store (local.get $dst) (f32x4.extract_lane 3 (local.get $v)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 4)))
      (br $quad)))
  (block $done
    (loop $one
      (br_if $done (i32.eqz (local.get $kc)))
      (f32.store (local.get $dst) (f32.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $kc (i32.sub (local.get $kc) (i32.const 1)))
      (br $one))))

;; Copies $kc steps of $w = 6 or 8 contiguous floats (a full panel whose
;; source is contiguous along r); source steps are $sp bytes apart.
(func $gemm_pack_steps (param $src i32) (param $sp i32) (param $w i32) (param $kc i32) (param $dst i32)
  (loop $step
    (v128.store (local.get $dst) (v128.load (local.get $src)))
    (if (i32.eq (local.get $w) (i32.const 8))
      (then (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src))))
      (else (i64.store offset=16 (local.get $dst) (i64.load offset=16 (local.get $src)))))
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
    (local.set $src (i32.add (local.get $src) (local.get $sp)))
    (br_if $step (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))

;; Packs one panel: $valid ≤ $w source lines, the rest zero (so edge tiles
;; compute on zeros instead of needing their own kernel). Strides are in
;; elements; see the header for the layout.
(func $gemm_pack
  (param $src i32) (param $sr i32) (param $sp i32) (param $w i32) (param $valid i32) (param $kc i32)
  (param $dst i32)
  (local $r i32) (local $s i32) (local $d i32)
  (if (i32.lt_u (local.get $valid) (local.get $w))
    (then
      (memory.fill (local.get $dst) (i32.const 0)
        (i32.shl (i32.mul (local.get $kc) (local.get $w)) (i32.const 2)))))
  (local.set $sr (i32.shl (local.get $sr) (i32.const 2)))
  (local.set $sp (i32.shl (local.get $sp) (i32.const 2)))
  (if (i32.eq (local.get $sp) (i32.const 4))
    (then
      (loop $line
        (call $gemm_pack_line
          (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $sr)))
          (local.get $kc)
          (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
          (i32.shl (local.get $w) (i32.const 2)))
        (br_if $line (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $valid))))
      (return)))
  (if (i32.and (i32.eq (local.get $sr) (i32.const 4)) (i32.eq (local.get $valid) (local.get $w)))
    (then
      (call $gemm_pack_steps
        (local.get $src) (local.get $sp) (local.get $w) (local.get $kc) (local.get $dst))
      (return)))
  ;; Partial panel contiguous along r: element by element.
  (loop $step
    (local.set $s (local.get $src))
    (local.set $d (local.get $dst))
    (local.set $r (local.get $valid))
    (loop $line
      (f32.store (local.get $d) (f32.load (local.get $s)))
      (local.set $s (i32.add (local.get $s) (local.get $sr)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (br_if $line (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
    (local.set $src (i32.add (local.get $src) (local.get $sp)))
    (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
    (br_if $step (local.tee $kc (i32.sub (local.get $kc) (i32.const 1))))))
