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

;; Sum of $n ≥ 0 contiguous f32 at $x, in f64: blocks of sixteen floats
;; into eight f64x2 accumulators, then the rest a vector at a time, the last
;; vector masked to its first n lanes (a predictable branch: computing the
;; mask for every vector measured 40% slower). With two accumulators, each
;; vector waited on the add before it: 2048 lines of 576 (the MNIST CNN's
;; first bias gradient) took 440–451 µs, against 201–222 this way. The order
;; of the additions changed with it; f64 sums of f32 values are mostly exact,
;; so the rounded results agree with a sum in order (the tests check).
(func $sum_line (param $x i32) (param $n i32) (result f64)
  (local $v v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
  (block $blocks
    (loop $block
      (br_if $blocks (i32.lt_s (local.get $n) (i32.const 16)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $a1
        (f64x2.add (local.get $a1)
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $v (v128.load offset=16 (local.get $x)))
      (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $a3
        (f64x2.add (local.get $a3)
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $v (v128.load offset=32 (local.get $x)))
      (local.set $a4 (f64x2.add (local.get $a4) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $a5
        (f64x2.add (local.get $a5)
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $v (v128.load offset=48 (local.get $x)))
      (local.set $a6 (f64x2.add (local.get $a6) (f64x2.promote_low_f32x4 (local.get $v))))
      (local.set $a7
        (f64x2.add (local.get $a7)
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
      (local.set $x (i32.add (local.get $x) (i32.const 64)))
      (local.set $n (i32.sub (local.get $n) (i32.const 16)))
      (br $block)))
  (loop $vec
    (local.set $v (v128.load (local.get $x)))
    (if (i32.lt_s (local.get $n) (i32.const 4))
      (then (local.set $v (v128.and (local.get $v) (call $lane_mask (local.get $n))))))
    (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
    (local.set $a1
      (f64x2.add (local.get $a1)
        (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
    (local.set $x (i32.add (local.get $x) (i32.const 16)))
    (br_if $vec (i32.gt_s (local.tee $n (i32.sub (local.get $n) (i32.const 4))) (i32.const 0))))
  (local.set $a0
    (f64x2.add
      (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3)))
      (f64x2.add (f64x2.add (local.get $a4) (local.get $a5)) (f64x2.add (local.get $a6) (local.get $a7)))))
  (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))

;; out[o, i] = Σ_s x[o, s, i] for an outer × size × inner f32 array at $x.
(func $sum_axis (export "sum_axis")
  (param $x i32) (param $out i32) (param $outer i32) (param $size i32) (param $inner i32)
  (local $s i32) (local $j i32) (local $p i32) (local $stride i32) (local $v v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
  (if (i32.eq (local.get $inner) (i32.const 1))
    (then
      (loop $line
        (f32.store (local.get $out) (f32.demote_f64 (call $sum_line (local.get $x) (local.get $size))))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $size) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br_if $line (local.tee $outer (i32.sub (local.get $outer) (i32.const 1)))))
      (return)))
  ;; Strided lines, sixteen columns at a time: every row's sixteen floats are
  ;; added into eight f64x2 accumulators that stay in registers, which are
  ;; then rounded into out. Each column still adds its rows in order, so the
  ;; bits are those of a row-by-row sum. An accumulator row in memory, loaded
  ;; and stored for every row, took 10.5–11 µs for 36 rows of 1024 (the
  ;; autoencoder's output bias gradient) against 6.7–8.9 this way, and
  ;; 334–369 against 204–263 µs for 64 rows of 18,432. The last block of a line reads and writes up to 15
  ;; floats past its end: into the next line, which is summed (and written)
  ;; afterwards, or into the operands' 64 bytes of padding.
  (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
  (loop $block
    (local.set $j (i32.const 0))
    (loop $columns
      (local.set $p (i32.add (local.get $x) (local.get $j)))
      (local.set $a0 (global.get $ZERO)) (local.set $a1 (global.get $ZERO))
      (local.set $a2 (global.get $ZERO)) (local.set $a3 (global.get $ZERO))
      (local.set $a4 (global.get $ZERO)) (local.set $a5 (global.get $ZERO))
      (local.set $a6 (global.get $ZERO)) (local.set $a7 (global.get $ZERO))
      (local.set $s (local.get $size))
      (loop $row
        (local.set $v (v128.load (local.get $p)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a1
          (f64x2.add (local.get $a1)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (v128.load offset=16 (local.get $p)))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a3
          (f64x2.add (local.get $a3)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (v128.load offset=32 (local.get $p)))
        (local.set $a4 (f64x2.add (local.get $a4) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a5
          (f64x2.add (local.get $a5)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (v128.load offset=48 (local.get $p)))
        (local.set $a6 (f64x2.add (local.get $a6) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a7
          (f64x2.add (local.get $a7)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (local.get $stride)))
        (br_if $row (local.tee $s (i32.sub (local.get $s) (i32.const 1)))))
      (local.set $p (i32.add (local.get $out) (local.get $j)))
      (v128.store (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a0)) (f32x4.demote_f64x2_zero (local.get $a1))))
      (v128.store offset=16 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a2)) (f32x4.demote_f64x2_zero (local.get $a3))))
      (v128.store offset=32 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a4)) (f32x4.demote_f64x2_zero (local.get $a5))))
      (v128.store offset=48 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a6)) (f32x4.demote_f64x2_zero (local.get $a7))))
      (br_if $columns (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 64))) (local.get $stride))))
    (local.set $x (i32.add (local.get $x) (i32.mul (local.get $size) (local.get $stride))))
    (local.set $out (i32.add (local.get $out) (local.get $stride)))
    (br_if $block (local.tee $outer (i32.sub (local.get $outer) (i32.const 1))))))

;; diff = a − b and acc[j] += diff[r, j]² (squared in f32, added in f64) for
;; $rows ≥ 1 rows of $w floats, then out[j] = f32(acc[j]): the squared
;; error's forward, rounding as sub, mul and sum_axis do. Sixteen columns at
;; a time, their f64 sums in registers as in sum_axis, over groups of four
;; rows: $acc (($w + 15)·8 bytes) carries the sums from one group, and one
;; call, to the next (later chunks of rows keep adding), and is zeroed first
;; when $clear. (Whole chunks of 16 rows per block measured slower than the
;; row-by-row loop, 9.9–11.4 against 7.7–9.4 µs for 16 rows of 1024; groups
;; of four take 6.9–7.0.) The last block of a row reads and
;; writes up to 15 floats past its end: diff gets the next row's correct
;; values early (diff must not overlap a or b), the last row's go to the
;; operands' 64 bytes of padding, and the f64 lanes past $w are padding too.
(func (export "squared_diff_columns")
  (param $a i32) (param $b i32) (param $diff i32) (param $out i32) (param $rows i32)
  (param $w i32) (param $acc i32) (param $clear i32)
  (local $j i32) (local $r i32) (local $p i32) (local $stride i32) (local $group i32) (local $v v128)
  (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
  (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
  (if (local.get $clear)
    (then
      (memory.fill (local.get $acc) (i32.const 0)
        (i32.shl (i32.add (local.get $w) (i32.const 15)) (i32.const 3)))))
  (local.set $stride (i32.shl (local.get $w) (i32.const 2)))
  (loop $groups
    (local.set $group
      (select (i32.const 4) (local.get $rows) (i32.gt_u (local.get $rows) (i32.const 4))))
    (local.set $j (i32.const 0))
    (loop $columns
      (local.set $p (i32.add (local.get $acc) (i32.shl (local.get $j) (i32.const 1))))
      (local.set $a0 (v128.load (local.get $p)))
      (local.set $a1 (v128.load offset=16 (local.get $p)))
      (local.set $a2 (v128.load offset=32 (local.get $p)))
      (local.set $a3 (v128.load offset=48 (local.get $p)))
      (local.set $a4 (v128.load offset=64 (local.get $p)))
      (local.set $a5 (v128.load offset=80 (local.get $p)))
      (local.set $a6 (v128.load offset=96 (local.get $p)))
      (local.set $a7 (v128.load offset=112 (local.get $p)))
      (local.set $r (local.get $group))
      (loop $row
        (local.set $v (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
        (v128.store (local.get $diff) (local.get $v))
        (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a1
          (f64x2.add (local.get $a1)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (f32x4.sub (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b))))
        (v128.store offset=16 (local.get $diff) (local.get $v))
        (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a3
          (f64x2.add (local.get $a3)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (f32x4.sub (v128.load offset=32 (local.get $a)) (v128.load offset=32 (local.get $b))))
        (v128.store offset=32 (local.get $diff) (local.get $v))
        (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
        (local.set $a4 (f64x2.add (local.get $a4) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a5
          (f64x2.add (local.get $a5)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $v (f32x4.sub (v128.load offset=48 (local.get $a)) (v128.load offset=48 (local.get $b))))
        (v128.store offset=48 (local.get $diff) (local.get $v))
        (local.set $v (f32x4.mul (local.get $v) (local.get $v)))
        (local.set $a6 (f64x2.add (local.get $a6) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a7
          (f64x2.add (local.get $a7)
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $a (i32.add (local.get $a) (local.get $stride)))
        (local.set $b (i32.add (local.get $b) (local.get $stride)))
        (local.set $diff (i32.add (local.get $diff) (local.get $stride)))
        (br_if $row (local.tee $r (i32.sub (local.get $r) (i32.const 1)))))
      (v128.store (local.get $p) (local.get $a0))
      (v128.store offset=16 (local.get $p) (local.get $a1))
      (v128.store offset=32 (local.get $p) (local.get $a2))
      (v128.store offset=48 (local.get $p) (local.get $a3))
      (v128.store offset=64 (local.get $p) (local.get $a4))
      (v128.store offset=80 (local.get $p) (local.get $a5))
      (v128.store offset=96 (local.get $p) (local.get $a6))
      (v128.store offset=112 (local.get $p) (local.get $a7))
      (local.set $p (i32.add (local.get $out) (local.get $j)))
      (v128.store (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a0)) (f32x4.demote_f64x2_zero (local.get $a1))))
      (v128.store offset=16 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a2)) (f32x4.demote_f64x2_zero (local.get $a3))))
      (v128.store offset=32 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a4)) (f32x4.demote_f64x2_zero (local.get $a5))))
      (v128.store offset=48 (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (local.get $a6)) (f32x4.demote_f64x2_zero (local.get $a7))))
      ;; Back to the first row, sixteen columns on.
      (local.set $r (i32.sub (i32.const 64) (i32.mul (local.get $group) (local.get $stride))))
      (local.set $a (i32.add (local.get $a) (local.get $r)))
      (local.set $b (i32.add (local.get $b) (local.get $r)))
      (local.set $diff (i32.add (local.get $diff) (local.get $r)))
      (br_if $columns (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 64))) (local.get $stride))))
    ;; On to the next group's first row.
    (local.set $r (i32.sub (i32.mul (local.get $group) (local.get $stride)) (local.get $j)))
    (local.set $a (i32.add (local.get $a) (local.get $r)))
    (local.set $b (i32.add (local.get $b) (local.get $r)))
    (local.set $diff (i32.add (local.get $diff) (local.get $r)))
    (br_if $groups (local.tee $rows (i32.sub (local.get $rows) (local.get $group))))))

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
