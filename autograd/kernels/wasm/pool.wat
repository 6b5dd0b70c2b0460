;; Max pooling over an N×C×H×W f32 batch without padding, where every
;; window lies wholly in its image. Each window's first cell starts as the
;; best; a later cell wins when it is greater, or when it is NaN and the best
;; is not (NaN propagates, and ties keep the first maximum), exactly as the
;; reference kernel decides.
;;
;; Two things make it fast. The choice is a `select`, not a branch (which
;; cell wins is close to random on real activations, and a mispredicted
;; branch per cell cost more than the comparisons), on the best's bits
;; (V8 compiles an i32 `select` to a conditional move, an f32 one to a
;; branch). And the loops run cell by cell over a whole row of windows, the
;; running maxima and positions kept in the output row itself: consecutive
;; comparisons belong to different windows, so they do not wait on each
;; other as they would window by window.
;;
;; The test is written out where it is used, not called (V8 does not inline
;; it), in the form "the best is a number and the cell is not ≤ it", which
;; is true exactly when the cell is greater or is NaN over a number, in three
;; operations instead of five: max_pool_2x2 over 64×32×24×24 in place went
;; from 663 to 363 µs, with the same cells chosen.

;; out[o] = max of window o; index[o] = its flat position y·w + x in its plane.
(func (export "max_pool")
  (param $x i32) (param $out i32) (param $index i32) (param $planes i32)
  (param $h i32) (param $w i32) (param $kh i32) (param $kw i32) (param $stride i32)
  (param $oh i32) (param $ow i32)
  (local $p i32) (local $y i32) (local $xo i32) (local $i i32) (local $j i32) (local $cell i32)
  (local $q i32) (local $o i32) (local $better i32) (local $bits i32) (local $bestBits i32)
  (local $best f32) (local $v f32) (local $rowBytes i32)
  (local.set $rowBytes (i32.shl (local.get $ow) (i32.const 2)))
  (loop $plane
    (local.set $y (i32.const 0))
    (loop $rows
      ;; The windows' first cells start as their best.
      (local.set $q (i32.mul (i32.mul (local.get $y) (local.get $stride)) (local.get $w)))
      (local.set $o (i32.const 0))
      (loop $first
        (i32.store (i32.add (local.get $out) (local.get $o))
          (i32.load (i32.add (local.get $x) (i32.shl (local.get $q) (i32.const 2)))))
        (i32.store (i32.add (local.get $index) (local.get $o)) (local.get $q))
        (local.set $q (i32.add (local.get $q) (local.get $stride)))
        (br_if $first (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 4))) (local.get $rowBytes))))
      ;; Every later cell (i, j), in order, against the whole row of windows.
      (local.set $i (i32.const 0))
      (loop $windowRows
        (local.set $j (i32.const 0))
        (loop $windowCols
          (if (i32.or (local.get $i) (local.get $j))
            (then
              (local.set $cell
                (i32.add (i32.mul (i32.add (i32.mul (local.get $y) (local.get $stride)) (local.get $i)) (local.get $w))
                  (local.get $j)))
              (local.set $o (i32.const 0))
              (loop $windows
                (local.set $q
                  (i32.add (local.get $cell) (i32.mul (i32.shr_u (local.get $o) (i32.const 2)) (local.get $stride))))
                (local.set $bits (i32.load (i32.add (local.get $x) (i32.shl (local.get $q) (i32.const 2)))))
                (local.set $v (f32.reinterpret_i32 (local.get $bits)))
                (local.set $bestBits (i32.load (i32.add (local.get $out) (local.get $o))))
                (local.set $best (f32.reinterpret_i32 (local.get $bestBits)))
                (local.set $better
                  (i32.and (f32.eq (local.get $best) (local.get $best))
                    (i32.eqz (f32.le (local.get $v) (local.get $best)))))
                (i32.store (i32.add (local.get $out) (local.get $o))
                  (select (local.get $bits) (local.get $bestBits) (local.get $better)))
                (i32.store (i32.add (local.get $index) (local.get $o))
                  (select (local.get $q) (i32.load (i32.add (local.get $index) (local.get $o))) (local.get $better)))
                (br_if $windows (i32.lt_u (local.tee $o (i32.add (local.get $o) (i32.const 4))) (local.get $rowBytes))))))
          (br_if $windowCols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
        (br_if $windowRows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $index (i32.add (local.get $index) (local.get $rowBytes)))
      (br_if $rows (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $oh))))
    (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2))))
    (br_if $plane (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $planes)))))

;; max_pool for the common 2×2 windows at stride 2: four windows at a time.
;; Their eight columns of a row are two vector loads, split into the even
;; (left) and odd (right) cells; the cells are then taken in window order —
;; top left, top right, bottom left, bottom right — with lane-wise selects.
;; The last ow mod 4 windows of a row go one by one.
(func $max_pool_2x2 (export "max_pool_2x2")
  (param $x i32) (param $out i32) (param $index i32) (param $planes i32)
  (param $h i32) (param $w i32) (param $oh i32) (param $ow i32)
  (local $p i32) (local $y i32) (local $xo i32) (local $q i32) (local $row i32) (local $cell i32)
  (local $at i32) (local $better i32) (local $bestBits i32) (local $bits i32) (local $wide i32)
  (local $v v128) (local $best v128) (local $atv v128) (local $qv v128) (local $mask v128)
  (local $lo v128) (local $hi v128) (local $lo2 v128) (local $hi2 v128)
  ;; Windows of a row in whole groups of four.
  (local.set $wide (i32.and (local.get $ow) (i32.const -4)))
  (loop $plane
    (local.set $y (i32.const 0))
    (loop $rows
      (local.set $xo (i32.const 0))
      (block $groupsDone
        (loop $groups
          (br_if $groupsDone (i32.ge_u (local.get $xo) (local.get $wide)))
          (local.set $q (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $xo)) (i32.const 1)))
          (local.set $qv (i32x4.add (i32x4.splat (local.get $q)) (v128.const i32x4 0 2 4 6)))
          (local.set $row (i32.add (local.get $x) (i32.shl (local.get $q) (i32.const 2))))
          (local.set $lo (v128.load (local.get $row)))
          (local.set $hi (v128.load offset=16 (local.get $row)))
          (local.set $row (i32.add (local.get $row) (i32.shl (local.get $w) (i32.const 2))))
          (local.set $lo2 (v128.load (local.get $row)))
          (local.set $hi2 (v128.load offset=16 (local.get $row)))
          ;; Top left.
          (local.set $best
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo) (local.get $hi)))
          (local.set $atv (local.get $qv))
          ;; Top right.
          (local.set $v
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo) (local.get $hi)))
          (local.set $mask
            (v128.andnot (f32x4.eq (local.get $best) (local.get $best))
              (f32x4.le (local.get $v) (local.get $best))))
          (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
          (local.set $atv
            (v128.bitselect (i32x4.add (local.get $qv) (i32x4.splat (i32.const 1))) (local.get $atv)
              (local.get $mask)))
          ;; Bottom left.
          (local.set $v
            (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $lo2) (local.get $hi2)))
          (local.set $mask
            (v128.andnot (f32x4.eq (local.get $best) (local.get $best))
              (f32x4.le (local.get $v) (local.get $best))))
          (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
          (local.set $atv
            (v128.bitselect (i32x4.add (local.get $qv) (i32x4.splat (local.get $w))) (local.get $atv)
              (local.get $mask)))
          ;; Bottom right.
          (local.set $v
            (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $lo2) (local.get $hi2)))
          (local.set $mask
            (v128.andnot (f32x4.eq (local.get $best) (local.get $best))
              (f32x4.le (local.get $v) (local.get $best))))
          (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
          (local.set $atv
            (v128.bitselect (i32x4.add (local.get $qv) (i32x4.splat (i32.add (local.get $w) (i32.const 1))))
              (local.get $atv) (local.get $mask)))
          (v128.store (local.get $out) (local.get $best))
          (v128.store (local.get $index) (local.get $atv))
          (local.set $out (i32.add (local.get $out) (i32.const 16)))
          (local.set $index (i32.add (local.get $index) (i32.const 16)))
          (local.set $xo (i32.add (local.get $xo) (i32.const 4)))
          (br $groups)))
      (block $tailDone
        (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $xo) (local.get $ow)))
          (local.set $q (i32.shl (i32.add (i32.mul (local.get $y) (local.get $w)) (local.get $xo)) (i32.const 1)))
          (local.set $bestBits (i32.load (i32.add (local.get $x) (i32.shl (local.get $q) (i32.const 2)))))
          (local.set $at (local.get $q))
          ;; Cells 1 to 3 of the window: (cell & 1) right, (cell >> 1) down.
          (local.set $cell (i32.const 1))
          (loop $cells
            (local.set $row
              (i32.add (local.get $q)
                (i32.add (i32.and (local.get $cell) (i32.const 1))
                  (i32.mul (i32.shr_u (local.get $cell) (i32.const 1)) (local.get $w)))))
            (local.set $bits (i32.load (i32.add (local.get $x) (i32.shl (local.get $row) (i32.const 2)))))
            (local.set $better
              (i32.and
                (f32.eq (f32.reinterpret_i32 (local.get $bestBits)) (f32.reinterpret_i32 (local.get $bestBits)))
                (i32.eqz
                  (f32.le (f32.reinterpret_i32 (local.get $bits)) (f32.reinterpret_i32 (local.get $bestBits))))))
            (local.set $bestBits (select (local.get $bits) (local.get $bestBits) (local.get $better)))
            (local.set $at (select (local.get $row) (local.get $at) (local.get $better)))
            (br_if $cells (i32.lt_u (local.tee $cell (i32.add (local.get $cell) (i32.const 1))) (i32.const 4))))
          (i32.store (local.get $out) (local.get $bestBits))
          (i32.store (local.get $index) (local.get $at))
          (local.set $out (i32.add (local.get $out) (i32.const 4)))
          (local.set $index (i32.add (local.get $index) (i32.const 4)))
          (local.set $xo (i32.add (local.get $xo) (i32.const 1)))
          (br $tail)))
      (br_if $rows (i32.lt_u (local.tee $y (i32.add (local.get $y) (i32.const 1))) (local.get $oh))))
    (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h) (local.get $w)) (i32.const 2))))
    (br_if $plane (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $planes)))))

;; max_pool's backward: out[p, index[p, o]] += grad[p, o] for every window o
;; of every plane p, in order (as the reference kernel adds them, rounded
;; as f32 adds). Planes of $planeIn floats in out, $planeOut in grad and
;; index; no window may be all padding (every index ≥ 0).
(func $unpool_add (export "unpool_add")
  (param $grad i32) (param $index i32) (param $out i32) (param $planes i32)
  (param $planeIn i32) (param $planeOut i32)
  (local $end i32) (local $at i32)
  (block $done
    (loop $plane
      (br_if $done (i32.eqz (local.get $planes)))
      (local.set $end (i32.add (local.get $grad) (i32.shl (local.get $planeOut) (i32.const 2))))
      (block $cellsDone
        (loop $cells
          (br_if $cellsDone (i32.ge_u (local.get $grad) (local.get $end)))
          (local.set $at (i32.add (local.get $out) (i32.shl (i32.load (local.get $index)) (i32.const 2))))
          (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $grad))))
          (local.set $grad (i32.add (local.get $grad) (i32.const 4)))
          (local.set $index (i32.add (local.get $index) (i32.const 4)))
          (br $cells)))
      (local.set $out (i32.add (local.get $out) (i32.shl (local.get $planeIn) (i32.const 2))))
      (local.set $planes (i32.sub (local.get $planes) (i32.const 1)))
      (br $plane))))
