;; im2col and its adjoint col2im over an N×C×H×W f32 batch.
;;
;; cols is (C·kh·kw) × (N·oh·ow): row (c·kh + i)·kw + j, column (n·oh + y)·ow
;; + x holds image element (y·stride − pad + i, x·stride − pad + j) of plane
;; (n, c), or 0 in the padding. As in the reference kernels, padding is never
;; materialised: for each kernel offset the range of output positions that
;; fall inside the image is computed once, and only those are visited. With
;; stride 1 every visited run is contiguous on both sides and moves as
;; vectors.

;; First output position o whose input o·stride − pad + t is ≥ 0 (≤ count).
(func $inside_lo (param $t i32) (param $pad i32) (param $stride i32) (param $count i32) (result i32)
  (local $first i32)
  (local.set $first (i32.sub (local.get $t) (local.get $pad)))
  (if (i32.ge_s (local.get $first) (i32.const 0)) (then (return (i32.const 0))))
  (call $min_u (local.get $count)
    (i32.div_u (i32.add (i32.sub (i32.const 0) (local.get $first)) (i32.sub (local.get $stride) (i32.const 1)))
      (local.get $stride))))

;; One past the last output position whose input is < extent (≤ count).
(func $inside_hi
  (param $t i32) (param $pad i32) (param $stride i32) (param $extent i32) (param $count i32) (result i32)
  (local $first i32)
  (local.set $first (i32.sub (local.get $t) (local.get $pad)))
  (if (i32.ge_s (local.get $first) (local.get $extent)) (then (return (i32.const 0))))
  (call $min_u (local.get $count)
    (i32.add
      (i32.div_u (i32.sub (i32.sub (local.get $extent) (i32.const 1)) (local.get $first)) (local.get $stride))
      (i32.const 1))))

;; One run of $count column entries at $col against image elements $stride
;; apart from $img: copies image → cols, or with $adjoint adds cols → image.
(func $unfold_run (param $img i32) (param $col i32) (param $count i32) (param $stride i32) (param $adjoint i32)
  (if (i32.eq (local.get $stride) (i32.const 1))
    (then
      (block $short
        (loop $vec
          (br_if $short (i32.lt_u (local.get $count) (i32.const 4)))
          (if (local.get $adjoint)
            (then
              (v128.store (local.get $img)
                (f32x4.add (v128.load (local.get $img)) (v128.load (local.get $col)))))
            (else (v128.store (local.get $col) (v128.load (local.get $img)))))
          (local.set $img (i32.add (local.get $img) (i32.const 16)))
          (local.set $col (i32.add (local.get $col) (i32.const 16)))
          (local.set $count (i32.sub (local.get $count) (i32.const 4)))
          (br $vec)))))
  (local.set $stride (i32.shl (local.get $stride) (i32.const 2)))
  (block $done
    (loop $one
      (br_if $done (i32.eqz (local.get $count)))
      (if (local.get $adjoint)
        (then
          (f32.store (local.get $img) (f32.add (f32.load (local.get $img)) (f32.load (local.get $col)))))
        (else (f32.store (local.get $col) (f32.load (local.get $img)))))
      (local.set $img (i32.add (local.get $img) (local.get $stride)))
      (local.set $col (i32.add (local.get $col) (i32.const 4)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $one))))

;; The loop nest shared by im2col and col2im (see the header); visits every
;; in-image (image element, column entry) pair once.
(func $unfold
  (param $img i32) (param $cols i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $oh i32) (param $ow i32)
  (param $adjoint i32) (param $c0 i32) (param $c1 i32)
  (local $ch i32) (local $i i32) (local $j i32) (local $b i32) (local $y i32) (local $row i32)
  (local $ylo i32) (local $yhi i32) (local $xlo i32) (local $xhi i32) (local $plane i32)
  (local $rowBytes i32)
  (local.set $rowBytes (i32.shl (i32.mul (local.get $n) (i32.mul (local.get $oh) (local.get $ow))) (i32.const 2)))
  ;; Rows (c0, 0, 0) onwards.
  (local.set $row
    (i32.add (local.get $cols)
      (i32.mul (i32.mul (local.get $c0) (i32.mul (local.get $kh) (local.get $kw))) (local.get $rowBytes))))
  (local.set $ch (local.get $c0))
  (loop $channels
    (local.set $i (i32.const 0))
    (loop $kernelRows
      (local.set $ylo (call $inside_lo (local.get $i) (local.get $pad) (local.get $stride) (local.get $oh)))
      (local.set $yhi
        (call $inside_hi (local.get $i) (local.get $pad) (local.get $stride) (local.get $h) (local.get $oh)))
      (local.set $j (i32.const 0))
      (loop $kernelCols
        (local.set $xlo (call $inside_lo (local.get $j) (local.get $pad) (local.get $stride) (local.get $ow)))
        (local.set $xhi
          (call $inside_hi (local.get $j) (local.get $pad) (local.get $stride) (local.get $w) (local.get $ow)))
        (if (i32.lt_s (local.get $xlo) (local.get $xhi))
          (then
            (local.set $b (i32.const 0))
            (loop $batch
              ;; Byte address of element (0, 0) of plane (b, ch).
              (local.set $plane
                (i32.add (local.get $img)
                  (i32.shl
                    (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (local.get $ch))
                      (i32.mul (local.get $h) (local.get $w)))
                    (i32.const 2))))
              (local.set $y (local.get $ylo))
              (block $rowsDone
                (loop $rows
                  (br_if $rowsDone (i32.ge_s (local.get $y) (local.get $yhi)))
                  (call $unfold_run
                    ;; image (y·stride − pad + i, xlo·stride − pad + j)
                    (i32.add (local.get $plane)
                      (i32.shl
                        (i32.add
                          (i32.mul
                            (i32.add (i32.sub (i32.mul (local.get $y) (local.get $stride)) (local.get $pad))
                              (local.get $i))
                            (local.get $w))
                          (i32.add (i32.sub (i32.mul (local.get $xlo) (local.get $stride)) (local.get $pad))
                            (local.get $j)))
                        (i32.const 2)))
                    ;; column (b·oh + y)·ow + xlo of this row
                    (i32.add (local.get $row)
                      (i32.shl
                        (i32.add
                          (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oh)) (local.get $y)) (local.get $ow))
                          (local.get $xlo))
                        (i32.const 2)))
                    (i32.sub (local.get $xhi) (local.get $xlo))
                    (local.get $stride)
                    (local.get $adjoint))
                  (local.set $y (i32.add (local.get $y) (i32.const 1)))
                  (br $rows)))
              (br_if $batch (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n))))))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (br_if $kernelCols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $kernelRows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (br_if $channels (i32.lt_u (local.tee $ch (i32.add (local.get $ch) (i32.const 1))) (local.get $c1)))))

;; The loop nest of $unfold for stride 1 without padding, the usual CNN
;; layer, where every column entry has its image element: the columns are
;; written (or read) in order, one run of ow per output row, each run moved
;; as pairs of vectors with the addresses stepped rather than recomputed,
;; and a function each for im2col and col2im so the innermost loop holds no
;; branch on the direction. On the 5×5 layers of the classic MNIST CNN (runs
;; of 8 and 24) it took less than half the time of $unfold, and the split
;; into two functions and vector pairs cut another 26-41 % (im2col of the
;; chunks [2, 32, 12, 12] 36.7 → 27.0 µs and [9, 1, 28, 28] 27.3 → 16.1 µs).
;; Where ow is a multiple of 8 each run is whole vector pairs, copied by one
;; plain loop with no rest to sort out: 27.3–28.6 → 17.9–19.4 µs and 16.0–16.6
;; → 13.8–15.6 on those chunks, col2im 30.7–31.9 → 20.0–20.7 and 19.0–19.5 →
;; 16.2–16.6 (the same adds in the same order).
;; col2im adds each entry where $unfold would, in the same order: the same
;; bits.
(func $unfold_dense
  (param $img i32) (param $cols i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $oh i32) (param $ow i32) (param $c0 i32) (param $c1 i32)
  (local $ch i32) (local $i i32) (local $j i32) (local $b i32) (local $y i32)
  (local $src i32) (local $run i32) (local $vecEnd i32) (local $runEnd i32)
  (local $planeBytes i32) (local $rowBytes i32) (local $owBytes i32) (local $vecBytes i32)
  (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
  (local.set $planeBytes (i32.mul (local.get $rowBytes) (local.get $h)))
  (local.set $owBytes (i32.shl (local.get $ow) (i32.const 2)))
  (local.set $vecBytes (i32.and (local.get $owBytes) (i32.const -16)))
  ;; Rows (c0, 0, 0) onwards: kh·kw rows of n·oh·ow entries per channel.
  (local.set $cols
    (i32.add (local.get $cols)
      (i32.mul (i32.mul (local.get $c0) (i32.mul (local.get $kh) (local.get $kw)))
        (i32.mul (local.get $n) (i32.mul (local.get $oh) (local.get $owBytes))))))
  (local.set $ch (local.get $c0))
  (loop $channels
    (local.set $i (i32.const 0))
    (loop $kernelRows
      (local.set $j (i32.const 0))
      (loop $kernelCols
        (local.set $b (i32.const 0))
        (loop $batch
          ;; Image element (i, j) of plane (b, ch).
          (local.set $src
            (i32.add (local.get $img)
              (i32.add
                (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (local.get $ch)) (local.get $planeBytes))
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $w)) (local.get $j)) (i32.const 2)))))
          (local.set $y (local.get $oh))
          (if (i32.eqz (i32.and (local.get $ow) (i32.const 7)))
            (then
              ;; Runs of whole vector pairs: one plain loop a row, no rest to sort out.
              (loop $rowsWhole
                (local.set $run (local.get $src))
                (local.set $runEnd (i32.add (local.get $cols) (local.get $owBytes)))
                (loop $vectors
                  (v128.store (local.get $cols) (v128.load (local.get $run)))
                  (v128.store offset=16 (local.get $cols) (v128.load offset=16 (local.get $run)))
                  (local.set $run (i32.add (local.get $run) (i32.const 32)))
                  (br_if $vectors
                    (i32.lt_u (local.tee $cols (i32.add (local.get $cols) (i32.const 32))) (local.get $runEnd))))
                (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
                (br_if $rowsWhole (local.tee $y (i32.sub (local.get $y) (i32.const 1))))))
            (else
          (loop $rows
            ;; One run of ow entries: pairs of vectors, a last vector, then single floats.
            (local.set $run (local.get $src))
            (local.set $vecEnd (i32.add (local.get $cols) (local.get $vecBytes)))
            (local.set $runEnd (i32.add (local.get $cols) (local.get $owBytes)))
            (block $pairsDone
              (br_if $pairsDone (i32.gt_u (i32.add (local.get $cols) (i32.const 32)) (local.get $vecEnd)))
              (loop $pairs
                (v128.store (local.get $cols) (v128.load (local.get $run)))
                (v128.store offset=16 (local.get $cols) (v128.load offset=16 (local.get $run)))
                (local.set $run (i32.add (local.get $run) (i32.const 32)))
                (br_if $pairs
                  (i32.le_u (i32.add (local.tee $cols (i32.add (local.get $cols) (i32.const 32))) (i32.const 32))
                    (local.get $vecEnd)))))
            (if (i32.lt_u (local.get $cols) (local.get $vecEnd))
              (then
                (v128.store (local.get $cols) (v128.load (local.get $run)))
                (local.set $run (i32.add (local.get $run) (i32.const 16)))
                (local.set $cols (i32.add (local.get $cols) (i32.const 16)))))
            (block $tailDone
              (br_if $tailDone (i32.ge_u (local.get $cols) (local.get $runEnd)))
              (loop $tail
                (f32.store (local.get $cols) (f32.load (local.get $run)))
                (local.set $run (i32.add (local.get $run) (i32.const 4)))
                (br_if $tail (i32.lt_u (local.tee $cols (i32.add (local.get $cols) (i32.const 4))) (local.get $runEnd)))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br_if $rows (local.tee $y (i32.sub (local.get $y) (i32.const 1)))))))
          (br_if $batch (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n))))
        (br_if $kernelCols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $kernelRows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (br_if $channels (i32.lt_u (local.tee $ch (i32.add (local.get $ch) (i32.const 1))) (local.get $c1)))))

;; $unfold_dense's adjoint: adds each column entry into its image element.
(func $fold_dense
  (param $img i32) (param $cols i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $oh i32) (param $ow i32) (param $c0 i32) (param $c1 i32)
  (local $ch i32) (local $i i32) (local $j i32) (local $b i32) (local $y i32)
  (local $src i32) (local $run i32) (local $vecEnd i32) (local $runEnd i32)
  (local $planeBytes i32) (local $rowBytes i32) (local $owBytes i32) (local $vecBytes i32)
  (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
  (local.set $planeBytes (i32.mul (local.get $rowBytes) (local.get $h)))
  (local.set $owBytes (i32.shl (local.get $ow) (i32.const 2)))
  (local.set $vecBytes (i32.and (local.get $owBytes) (i32.const -16)))
  ;; Rows (c0, 0, 0) onwards: kh·kw rows of n·oh·ow entries per channel.
  (local.set $cols
    (i32.add (local.get $cols)
      (i32.mul (i32.mul (local.get $c0) (i32.mul (local.get $kh) (local.get $kw)))
        (i32.mul (local.get $n) (i32.mul (local.get $oh) (local.get $owBytes))))))
  (local.set $ch (local.get $c0))
  (loop $channels
    (local.set $i (i32.const 0))
    (loop $kernelRows
      (local.set $j (i32.const 0))
      (loop $kernelCols
        (local.set $b (i32.const 0))
        (loop $batch
          ;; Image element (i, j) of plane (b, ch).
          (local.set $src
            (i32.add (local.get $img)
              (i32.add
                (i32.mul (i32.add (i32.mul (local.get $b) (local.get $c)) (local.get $ch)) (local.get $planeBytes))
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $w)) (local.get $j)) (i32.const 2)))))
          (local.set $y (local.get $oh))
          (if (i32.eqz (i32.and (local.get $ow) (i32.const 7)))
            (then
              ;; Runs of whole vector pairs, as in $unfold_dense.
              (loop $rowsWhole
                (local.set $run (local.get $src))
                (local.set $runEnd (i32.add (local.get $cols) (local.get $owBytes)))
                (loop $vectors
                  (v128.store (local.get $run)
                    (f32x4.add (v128.load (local.get $run)) (v128.load (local.get $cols))))
                  (v128.store offset=16 (local.get $run)
                    (f32x4.add (v128.load offset=16 (local.get $run)) (v128.load offset=16 (local.get $cols))))
                  (local.set $run (i32.add (local.get $run) (i32.const 32)))
                  (br_if $vectors
                    (i32.lt_u (local.tee $cols (i32.add (local.get $cols) (i32.const 32))) (local.get $runEnd))))
                (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
                (br_if $rowsWhole (local.tee $y (i32.sub (local.get $y) (i32.const 1))))))
            (else
          (loop $rows
            ;; One run of ow entries: pairs of vectors, a last vector, then single floats.
            (local.set $run (local.get $src))
            (local.set $vecEnd (i32.add (local.get $cols) (local.get $vecBytes)))
            (local.set $runEnd (i32.add (local.get $cols) (local.get $owBytes)))
            (block $pairsDone
              (br_if $pairsDone (i32.gt_u (i32.add (local.get $cols) (i32.const 32)) (local.get $vecEnd)))
              (loop $pairs
                (v128.store (local.get $run)
                  (f32x4.add (v128.load (local.get $run)) (v128.load (local.get $cols))))
                (v128.store offset=16 (local.get $run)
                  (f32x4.add (v128.load offset=16 (local.get $run)) (v128.load offset=16 (local.get $cols))))
                (local.set $run (i32.add (local.get $run) (i32.const 32)))
                (br_if $pairs
                  (i32.le_u (i32.add (local.tee $cols (i32.add (local.get $cols) (i32.const 32))) (i32.const 32))
                    (local.get $vecEnd)))))
            (if (i32.lt_u (local.get $cols) (local.get $vecEnd))
              (then
                (v128.store (local.get $run)
                  (f32x4.add (v128.load (local.get $run)) (v128.load (local.get $cols))))
                (local.set $run (i32.add (local.get $run) (i32.const 16)))
                (local.set $cols (i32.add (local.get $cols) (i32.const 16)))))
            (block $tailDone
              (br_if $tailDone (i32.ge_u (local.get $cols) (local.get $runEnd)))
              (loop $tail
                (f32.store (local.get $run) (f32.add (f32.load (local.get $run)) (f32.load (local.get $cols))))
                (local.set $run (i32.add (local.get $run) (i32.const 4)))
                (br_if $tail (i32.lt_u (local.tee $cols (i32.add (local.get $cols) (i32.const 4))) (local.get $runEnd)))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (br_if $rows (local.tee $y (i32.sub (local.get $y) (i32.const 1)))))))
          (br_if $batch (i32.lt_u (local.tee $b (i32.add (local.get $b) (i32.const 1))) (local.get $n))))
        (br_if $kernelCols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $kw))))
      (br_if $kernelRows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $kh))))
    (br_if $channels (i32.lt_u (local.tee $ch (i32.add (local.get $ch) (i32.const 1))) (local.get $c1)))))

;; $unfold, or $unfold_dense / $fold_dense where they apply, over channels
;; [c0, c1): rows c0·kh·kw up to c1·kh·kw of the columns, planes c0 up to c1
;; of each image. Unfolding a padded geometry first clears those rows (the
;; padding entries stay 0). Ranges of channels share no row and no image
;; element, so threads can take one each: an image element still receives
;; its column entries in the same order, and col2im the same bits.
(func $unfold_any
  (param $img i32) (param $cols i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $oh i32) (param $ow i32)
  (param $adjoint i32) (param $c0 i32) (param $c1 i32)
  (local $rowsBytes i32)
  (if (i32.ge_u (local.get $c0) (local.get $c1)) (then (return)))
  (if (i32.and (i32.eq (local.get $stride) (i32.const 1)) (i32.eqz (local.get $pad)))
    (then
      (if (local.get $adjoint)
        (then
          (call $fold_dense (local.get $img) (local.get $cols) (local.get $n) (local.get $c) (local.get $h)
            (local.get $w) (local.get $kh) (local.get $kw) (local.get $oh) (local.get $ow)
            (local.get $c0) (local.get $c1)))
        (else
          (call $unfold_dense (local.get $img) (local.get $cols) (local.get $n) (local.get $c) (local.get $h)
            (local.get $w) (local.get $kh) (local.get $kw) (local.get $oh) (local.get $ow)
            (local.get $c0) (local.get $c1))))
      (return)))
  (if (i32.eqz (local.get $adjoint))
    (then
      ;; Bytes of one channel's kh·kw rows.
      (local.set $rowsBytes
        (i32.shl
          (i32.mul (i32.mul (local.get $kh) (local.get $kw))
            (i32.mul (local.get $n) (i32.mul (local.get $oh) (local.get $ow))))
          (i32.const 2)))
      (memory.fill
        (i32.add (local.get $cols) (i32.mul (local.get $c0) (local.get $rowsBytes)))
        (i32.const 0)
        (i32.mul (i32.sub (local.get $c1) (local.get $c0)) (local.get $rowsBytes)))))
  (call $unfold (local.get $img) (local.get $cols) (local.get $n) (local.get $c) (local.get $h)
    (local.get $w) (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $oh)
    (local.get $ow) (local.get $adjoint) (local.get $c0) (local.get $c1)))

;; cols = im2col(x); without padding every entry is written, with it cols is
;; cleared first.
(func $im2col (export "im2col")
  (param $x i32) (param $cols i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $oh i32) (param $ow i32)
  (call $unfold_any (local.get $x) (local.get $cols) (local.get $n) (local.get $c) (local.get $h) (local.get $w)
    (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $oh) (local.get $ow)
    (i32.const 0) (i32.const 0) (local.get $c)))

;; out += col2im(cols): every column entry is added into its image element.
(func $col2im (export "col2im")
  (param $cols i32) (param $out i32) (param $n i32) (param $c i32) (param $h i32) (param $w i32)
  (param $kh i32) (param $kw i32) (param $stride i32) (param $pad i32) (param $oh i32) (param $ow i32)
  (call $unfold_any (local.get $out) (local.get $cols) (local.get $n) (local.get $c) (local.get $h) (local.get $w)
    (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $oh) (local.get $ow)
    (i32.const 1) (i32.const 0) (local.get $c)))

;; One task of a threaded im2col or col2im: channels [t·per, (t + 1)·per) ∩
;; [0, c). The job block holds i32 words: image, cols, n, c, h, w, kh, kw,
;; stride, pad, oh, ow, adjoint (1 for col2im), per.
(func (export "unfold_task") (param $job i32) (param $t i32) (param $slot i32)
  (local $c0 i32)
  (local.set $c0 (i32.mul (local.get $t) (i32.load offset=52 (local.get $job))))
  (call $unfold_any
    (i32.load (local.get $job)) (i32.load offset=4 (local.get $job)) (i32.load offset=8 (local.get $job))
    (i32.load offset=12 (local.get $job)) (i32.load offset=16 (local.get $job))
    (i32.load offset=20 (local.get $job)) (i32.load offset=24 (local.get $job))
    (i32.load offset=28 (local.get $job)) (i32.load offset=32 (local.get $job))
    (i32.load offset=36 (local.get $job)) (i32.load offset=40 (local.get $job))
    (i32.load offset=44 (local.get $job)) (i32.load offset=48 (local.get $job))
    (local.get $c0)
    (call $min_u (i32.load offset=12 (local.get $job))
      (i32.add (local.get $c0) (i32.load offset=52 (local.get $job))))))
