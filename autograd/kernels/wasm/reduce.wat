;; Reductions: sum along an axis, the squared error's column sums and softmax
;; along contiguous rows.
;;
;; Sums accumulate in f64 (two f64x2 lanes per f32x4), as the reference
;; kernels do in JS doubles, so a long float32 sum loses no precision per
;; step. Loops read whole vectors past the end of a line; the TypeScript side
;; pads every scratch operand by 16 bytes so those reads stay in scratch, and
;; the lanes past the end are masked out wherever they could change a result.

;; Lanes [0, $count) of an all-ones mask, the rest zero ($count ≤ 4).
(func $lane_mask (param $count i32) (result v128)
  (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $count))))

;; Sum of $n ≥ 0 contiguous f32 at $x, in f64. The last vector is masked
;; to its first n lanes (a predictable branch: computing the mask for every
;; vector measured 40% slower).
(func $sum_line (param $x i32) (param $n i32) (result f64)
  (local $lo v128) (local $hi v128) (local $v v128)
  (loop $vec
    (local.set $v (v128.load (local.get $x)))
    (if (i32.lt_s (local.get $n) (i32.const 4))
      (then (local.set $v (v128.and (local.get $v) (call $lane_mask (local.get $n))))))
    (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
    (local.set $hi
      (f64x2.add (local.get $hi)
        (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
    (local.set $x (i32.add (local.get $x) (i32.const 16)))
    (br_if $vec (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 4))) (i32.const 0))))
  (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
  (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))

;; out[o, i] = Σ_s x[o, s, i] for an outer × size × inner f32 array at $x.
;; $acc is (inner + 3)·8 bytes of scratch for the f64 row accumulator.
(func (export "sum_axis")
  (param $x i32) (param $out i32) (param $outer i32) (param $size i32) (param $inner i32)
  (param $acc i32)
  (local $s i32) (local $i i32) (local $p i32) (local $v v128)
  (if (i32.eq (local.get $inner) (i32.const 1))
    (then
      (loop $line
        (f32.store (local.get $out) (f32.demote_f64 (call $sum_line (local.get $x) (local.get $size))))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $size) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $line (local.tee $outer (i32.sub (local.get $outer) (i32.const 1)))))
      (return)))
  ;; Strided lines: add whole contiguous rows of `inner` floats into the f64
  ;; accumulator row, then round it into out (reading memory in order).
  (loop $block
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (i32.add (local.get $inner) (i32.const 3)) (i32.const 3)))
    (local.set $s (local.get $size))
    (loop $row
      (local.set $p (local.get $acc))
      (local.set $i (i32.const 0))
      (loop $vec
        ;; acc[i..i+4] += x[i..i+4] as two f64x2 halves.
        (local.set $v (v128.load (local.get $x)))
        (v128.store (local.get $p)
          (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $p)
          (f64x2.add (v128.load offset=16 (local.get $p))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br_if $vec (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $inner))))
      ;; Step back over the lanes read past the row end.
      (local.set $x (i32.sub (local.get $x) (i32.shl (i32.sub (local.get $i) (local.get $inner)) (i32.const 2))))
      (br_if $row (local.tee $s (i32.sub (local.get $s) (i32.const 1)))))
    (call $round_row (local.get $acc) (local.get $out) (local.get $inner))
    (local.set $out (i32.add (local.get $out) (i32.shl (local.get $inner) (i32.const 2))))
    (br_if $block (local.tee $outer (i32.sub (local.get $outer) (i32.const 1))))))

;; out[i] = f32(acc[i]) for i < $n ≥ 1 (whole vectors: out needs 16 bytes of padding).
(func $round_row (param $acc i32) (param $out i32) (param $n i32)
  (loop $store
    (v128.store (local.get $out)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (v128.load (local.get $acc)))
        (f32x4.demote_f64x2_zero (v128.load offset=16 (local.get $acc)))))
    (local.set $acc (i32.add (local.get $acc) (i32.const 32)))
    (local.set $out (i32.add (local.get $out) (i32.const 16)))
    (br_if $store (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 4))) (i32.const 0)))))

;; diff = a − b and acc[j] += diff[r, j]² (squared in f32, added in f64) for
;; $rows ≥ 1 rows of $w; then out[j] = f32(acc[j]): the squared error's
;; forward, rounding as sub, mul and sum_axis do. $acc is ($w + 3)·8 bytes,
;; zeroed first when $clear (later chunks of rows keep adding). Vectors may
;; straddle a row end, as in sum_axis: diff gets the next row's correct
;; values early (diff must not overlap a or b) and the f64 lanes past $w are
;; padding.
(func (export "squared_diff_columns")
  (param $a i32) (param $b i32) (param $diff i32) (param $out i32) (param $rows i32)
  (param $w i32) (param $acc i32) (param $clear i32)
  (local $i i32) (local $p i32) (local $d v128) (local $back i32)
  (if (local.get $clear)
    (then
      (memory.fill (local.get $acc) (i32.const 0)
        (i32.shl (i32.add (local.get $w) (i32.const 3)) (i32.const 3)))))
  (loop $row
    (local.set $p (local.get $acc))
    (local.set $i (i32.const 0))
    (loop $vec
      (local.set $d (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
      (v128.store (local.get $diff) (local.get $d))
      (local.set $d (f32x4.mul (local.get $d) (local.get $d)))
      (v128.store (local.get $p)
        (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $d))))
      (v128.store offset=16 (local.get $p)
        (f64x2.add (v128.load offset=16 (local.get $p))
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $d) (local.get $d)))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $diff (i32.add (local.get $diff) (i32.const 16)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br_if $vec (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $w))))
    ;; Step back over the lanes read past the row end.
    (local.set $back (i32.shl (i32.sub (local.get $i) (local.get $w)) (i32.const 2)))
    (local.set $a (i32.sub (local.get $a) (local.get $back)))
    (local.set $b (i32.sub (local.get $b) (local.get $back)))
    (local.set $diff (i32.sub (local.get $diff) (local.get $back)))
    (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1)))))
  (call $round_row (local.get $acc) (local.get $out) (local.get $w)))

;; Softmax (or, with $log, log-softmax) of $rows contiguous rows of $size ≥ 1
;; floats from $x into $out (which must not overlap $x). As in the reference:
;; the row max is subtracted first (NaN skipped by the max, then propagated by
;; the sum), sums in f64, log-softmax as x − (max + ln Σ).
(func (export "softmax_rows")
  (param $x i32) (param $out i32) (param $rows i32) (param $size i32) (param $log i32)
  (local $i i32) (local $max f32) (local $vmax v128) (local $e v128) (local $sum f64)
  (local $shift v128) (local $tail v128) (local $at i32) (local $e1 v128) (local $e2 v128)
  (local $e3 v128)
  (local.set $tail (call $lane_mask (i32.and (local.get $size) (i32.const 3))))
  (loop $row
    ;; Row maximum; lanes past the row end count as −∞.
    (local.set $vmax (global.get $NEG_INF))
    (local.set $i (i32.const 0))
    (loop $max
      (local.set $e (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $size))
        (then
          (local.set $e (v128.bitselect (local.get $e) (global.get $NEG_INF) (local.get $tail)))))
      (local.set $vmax (f32x4.pmax (local.get $vmax) (local.get $e)))
      (br_if $max (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $size))))
    (local.set $vmax
      (f32x4.pmax (local.get $vmax) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $vmax) (local.get $vmax))))
    (local.set $vmax
      (f32x4.pmax (local.get $vmax) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $vmax) (local.get $vmax))))
    ;; e = exp(x − max) into out, four vectors at a time (see $exp4x4), then
    ;; its sum. Lanes past the row end read at most 60 bytes past it (the
    ;; TypeScript side pads both operands by 64 bytes); in out they are masked
    ;; out by sum_line and rewritten by the next row.
    (local.set $i (i32.const 0))
    (loop $exp
      (local.set $at (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (call $exp4x4
        (f32x4.sub (v128.load (local.get $at)) (local.get $vmax))
        (f32x4.sub (v128.load offset=16 (local.get $at)) (local.get $vmax))
        (f32x4.sub (v128.load offset=32 (local.get $at)) (local.get $vmax))
        (f32x4.sub (v128.load offset=48 (local.get $at)) (local.get $vmax)))
      (local.set $e3) (local.set $e2) (local.set $e1) (local.set $e)
      (local.set $at (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store (local.get $at) (local.get $e))
      (v128.store offset=16 (local.get $at) (local.get $e1))
      (v128.store offset=32 (local.get $at) (local.get $e2))
      (v128.store offset=48 (local.get $at) (local.get $e3))
      (br_if $exp (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $size))))
    (local.set $sum (call $sum_line (local.get $out) (local.get $size)))
    (if (local.get $log)
      (then
        (local.set $shift
          (f32x4.add (local.get $vmax) (call $log4 (f32x4.splat (f32.demote_f64 (local.get $sum))))))
        (local.set $i (i32.const 0))
        (loop $sub
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
            (f32x4.sub (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
              (local.get $shift)))
          (br_if $sub (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $size)))))
      (else
        (local.set $shift (f32x4.splat (f32.demote_f64 (f64.div (f64.const 1) (local.get $sum)))))
        (local.set $i (i32.const 0))
        (loop $scale
          (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
            (f32x4.mul (v128.load (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))))
              (local.get $shift)))
          (br_if $scale (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $size))))))
    (local.set $x (i32.add (local.get $x) (i32.shl (local.get $size) (i32.const 2))))
    (local.set $out (i32.add (local.get $out) (i32.shl (local.get $size) (i32.const 2))))
    (br_if $row (local.tee $rows (i32.sub (local.get $rows) (i32.const 1))))))
