;; A convolution in lanes: lane t takes the batch's
;; chunks t, t + lanes, … whole — im2col, one product and the move into
;; N×C×H×W forward; the move back, the weight-gradient and column-gradient
;; products and col2im backward — each lane with its own temporaries, its
;; own gemm workspace and edge tile, and (backward) its own weight-gradient
;; partial. Lanes are fixed by the shapes, so which thread runs a lane, and
;; how many threads there are, never changes the bits (conv_lanes.ts).
;;
;; The job block holds i32 words: direction (0 forward, 1 backward), x, y
;; (forward) or gz (backward), weight, bias or -1 (forward) or gx or -1
;; (backward), the weight-gradient partials or -1 (backward), n, c, h, w, kh,
;; kw, oh, ow, oc, images per chunk, lane 0's temporaries, the bytes between
;; two lanes' temporaries, the lane count, the stride, the padding, then the
;; activation or -1 (forward: its unary op code, applied to each chunk's
;; output once the bias is in; backward: its activation_grad op code, taking
;; each chunk's output gradient through the activation first), the forward's
;; output (backward, with an activation) or -1, and where the backward writes
;; the output gradient's sum over each image's channel planes ([N, OC], the
;; bias gradient per image) or -1; then a fused 2×2 max pooling's extents
;; (-1, -1 for none: y, or backward gz and the output, are then the pooled
;; ones), its cells' positions in their planes (written forward, read
;; backward), and (backward) the whole output gradient, which each chunk of
;; it is written into from the pooled one. Both run on a chunk while it is in cache,
;; on both lanes. The plane sums of the MNIST CNN's first layer took 413–463
;; µs of its 17.4–18.4 ms training step on the calling thread (native, two
;; threads); in the lanes its backward took no longer that I could measure
;; (1,195–1,269 → 1,211–1,321 µs). A lane's temporaries are its
;; columns and its column gradient (C·kh·kw × chunk·oh·ow each, every row
;; block rounded to 16 bytes), its product
;; (oc × chunk·oh·ow), a fused pooling's input (as large), the gemm workspace (MC·KC + KC·n8 floats, n8 the
;; larger of chunk·oh·ow and C·kh·kw rounded up to 8: the products' widest B)
;; and a 256-byte edge tile, in that order.
;; f_op (the unary op codes of elementwise.wat) over exactly $n floats at $x,
;; in place: whole blocks of sixteen by $unary, the last n mod 16 through
;; the 64 bytes at $tmp. Nothing past x[n) is read or written: a lane's
;; chunk is followed by the next chunk, which another lane may be writing.
(func $unary_exact (export "unary_exact") (param $op i32) (param $x i32) (param $n i32) (param $tmp i32)
  (local $whole i32) (local $tail i32) (local $bytes i32)
  (local.set $whole (i32.and (local.get $n) (i32.const -16)))
  (call $unary (local.get $op) (local.get $x) (local.get $x) (local.get $whole))
  (local.set $tail (i32.add (local.get $x) (i32.shl (local.get $whole) (i32.const 2))))
  (local.set $bytes (i32.shl (i32.sub (local.get $n) (local.get $whole)) (i32.const 2)))
  (if (local.get $bytes)
    (then
      (memory.copy (local.get $tmp) (local.get $tail) (local.get $bytes))
      (call $unary (local.get $op) (local.get $tmp) (local.get $tmp) (i32.const 16))
      (memory.copy (local.get $tail) (local.get $tmp) (local.get $bytes)))))

;; grad[i] ·= f′(y[i]) (the activation_grad op codes of fused.wat) for exactly
;; $n floats, as $unary_exact does: the tails of y and grad go through the
;; 128 bytes at $tmp.
(func $activation_grad_exact (export "activation_grad_exact")
  (param $op i32) (param $y i32) (param $grad i32) (param $n i32) (param $tmp i32)
  (local $whole i32) (local $offset i32) (local $bytes i32)
  (local.set $whole (i32.and (local.get $n) (i32.const -16)))
  (call $activation_grad (local.get $op) (local.get $y) (local.get $grad) (local.get $grad) (local.get $whole))
  (local.set $offset (i32.shl (local.get $whole) (i32.const 2)))
  (local.set $bytes (i32.shl (i32.sub (local.get $n) (local.get $whole)) (i32.const 2)))
  (if (local.get $bytes)
    (then
      (memory.copy (local.get $tmp) (i32.add (local.get $y) (local.get $offset)) (local.get $bytes))
      (memory.copy (i32.add (local.get $tmp) (i32.const 64)) (i32.add (local.get $grad) (local.get $offset))
        (local.get $bytes))
      (call $activation_grad (local.get $op) (local.get $tmp) (i32.add (local.get $tmp) (i32.const 64))
        (i32.add (local.get $tmp) (i32.const 64)) (i32.const 16))
      (memory.copy (i32.add (local.get $grad) (local.get $offset)) (i32.add (local.get $tmp) (i32.const 64))
        (local.get $bytes)))))

(func (export "conv_lane_task") (param $job i32) (param $t i32) (param $slot i32)
  (local $n i32) (local $c i32) (local $h i32) (local $w i32) (local $kh i32) (local $kw i32)
  (local $oh i32) (local $ow i32) (local $oc i32) (local $chunk i32) (local $lanes i32)
  (local $plane i32) (local $rows i32) (local $image i32) (local $span i32)
  (local $cols i32) (local $dCols i32) (local $product i32) (local $work i32) (local $edge i32)
  (local $b0 i32) (local $count i32) (local $np i32) (local $first i32) (local $gw i32) (local $gx i32)
  (local $stride i32) (local $pad i32) (local $act i32) (local $out i32) (local $outputs i32)
  (local $poolOh i32) (local $poolOw i32) (local $cells i32) (local $at i32) (local $z i32)
  (local.set $n (i32.load offset=24 (local.get $job)))
  (local.set $c (i32.load offset=28 (local.get $job)))
  (local.set $h (i32.load offset=32 (local.get $job)))
  (local.set $w (i32.load offset=36 (local.get $job)))
  (local.set $kh (i32.load offset=40 (local.get $job)))
  (local.set $kw (i32.load offset=44 (local.get $job)))
  (local.set $oh (i32.load offset=48 (local.get $job)))
  (local.set $ow (i32.load offset=52 (local.get $job)))
  (local.set $oc (i32.load offset=56 (local.get $job)))
  (local.set $chunk (i32.load offset=60 (local.get $job)))
  (local.set $lanes (i32.load offset=72 (local.get $job)))
  (local.set $stride (i32.load offset=76 (local.get $job)))
  (local.set $pad (i32.load offset=80 (local.get $job)))
  (local.set $act (i32.load offset=84 (local.get $job)))
  (local.set $poolOh (i32.load offset=96 (local.get $job)))
  (local.set $poolOw (i32.load offset=100 (local.get $job)))
  (local.set $plane (i32.mul (local.get $oh) (local.get $ow)))
  (local.set $rows (i32.mul (local.get $c) (i32.mul (local.get $kh) (local.get $kw))))
  (local.set $image (i32.mul (local.get $c) (i32.mul (local.get $h) (local.get $w))))
  ;; Bytes of one chunk-wide row block: chunk·oh·ow floats, rounded to 16 bytes.
  (local.set $span (i32.and (i32.add (i32.shl (i32.mul (local.get $chunk) (local.get $plane)) (i32.const 2))
    (i32.const 15)) (i32.const -16)))
  (local.set $cols
    (i32.add (i32.load offset=64 (local.get $job)) (i32.mul (local.get $t) (i32.load offset=68 (local.get $job)))))
  (local.set $dCols (i32.add (local.get $cols) (i32.mul (local.get $rows) (local.get $span))))
  (local.set $product (i32.add (local.get $dCols) (i32.mul (local.get $rows) (local.get $span))))
  (local.set $z (i32.add (local.get $product) (i32.mul (local.get $oc) (local.get $span))))
  (local.set $work (i32.add (local.get $z) (i32.mul (local.get $oc) (local.get $span))))
  (local.set $edge
    (i32.add (local.get $work)
      (i32.shl
        (i32.add (i32.mul (global.get $GEMM_MC) (global.get $GEMM_KC))
          (i32.mul (global.get $GEMM_KC)
            (i32.and
              (i32.add
                (select (local.get $rows) (i32.mul (local.get $chunk) (local.get $plane))
                  (i32.gt_u (local.get $rows) (i32.mul (local.get $chunk) (local.get $plane))))
                (i32.const 7))
              (i32.const -8))))
        (i32.const 2))))
  (local.set $gx (i32.load offset=16 (local.get $job)))
  (local.set $gw (i32.load offset=20 (local.get $job)))
  (local.set $first (i32.const 1))
  (local.set $b0 (i32.mul (local.get $t) (local.get $chunk)))
  (block $done
    (loop $chunks
      (br_if $done (i32.ge_u (local.get $b0) (local.get $n)))
      (local.set $count (call $min_u (local.get $chunk) (i32.sub (local.get $n) (local.get $b0))))
      (local.set $np (i32.mul (local.get $count) (local.get $plane)))
      ;; The chunk's outputs (forward) or output gradients (backward): floats, and where they start.
      (local.set $outputs (i32.mul (local.get $np) (local.get $oc)))
      (local.set $out
        (i32.add (i32.load offset=8 (local.get $job))
          (i32.shl (i32.mul (i32.mul (local.get $b0) (local.get $oc)) (local.get $plane)) (i32.const 2))))
      ;; A fused pooling's cells of the chunk, and their byte offset in the pooled arrays.
      (local.set $cells (i32.mul (i32.mul (local.get $count) (local.get $oc)) (i32.mul (local.get $poolOh) (local.get $poolOw))))
      (local.set $at
        (i32.shl (i32.mul (i32.mul (local.get $b0) (local.get $oc)) (i32.mul (local.get $poolOh) (local.get $poolOw)))
          (i32.const 2)))
      (if (i32.eqz (i32.load (local.get $job)))
        (then
          ;; Forward: unfold, W·cols, and the move into N×C×H×W with the bias.
          (call $im2col
            (i32.add (i32.load offset=4 (local.get $job)) (i32.shl (i32.mul (local.get $b0) (local.get $image)) (i32.const 2)))
            (local.get $cols) (local.get $count) (local.get $c) (local.get $h) (local.get $w)
            (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $oh) (local.get $ow))
          (call $gemm_on (i32.load offset=12 (local.get $job)) (local.get $cols) (local.get $product)
            (local.get $oc) (local.get $np) (local.get $rows) (i32.const 0) (local.get $work) (local.get $edge))
          (if (i32.lt_s (local.get $poolOh) (i32.const 0))
            (then
              (call $swap_leading_axes (local.get $product)
                (select (local.get $product) (local.get $gx) (i32.lt_s (local.get $gx) (i32.const 0)))
                (local.get $out) (local.get $oc) (local.get $count) (local.get $plane)
                (i32.ge_s (local.get $gx) (i32.const 0)))
              (if (i32.ge_s (local.get $act) (i32.const 0))
                (then (call $unary_exact (local.get $act) (local.get $out) (local.get $outputs) (local.get $edge)))))
            (else
              ;; Pooled: the output passes through the lane's own z, and only the pooled cells
              ;; and their positions are written, then the activation on them.
              (call $swap_leading_axes (local.get $product)
                (select (local.get $product) (local.get $gx) (i32.lt_s (local.get $gx) (i32.const 0)))
                (local.get $z) (local.get $oc) (local.get $count) (local.get $plane)
                (i32.ge_s (local.get $gx) (i32.const 0)))
              (call $max_pool_2x2 (local.get $z)
                (i32.add (i32.load offset=8 (local.get $job)) (local.get $at))
                (i32.add (i32.load offset=104 (local.get $job)) (local.get $at))
                (i32.mul (local.get $count) (local.get $oc)) (local.get $oh) (local.get $ow)
                (local.get $poolOh) (local.get $poolOw))
              (if (i32.ge_s (local.get $act) (i32.const 0))
                (then
                  (call $unary_exact (local.get $act) (i32.add (i32.load offset=8 (local.get $job)) (local.get $at))
                    (local.get $cells) (local.get $edge)))))))
        (else
          ;; Backward: this chunk's gradient through the activation, its plane sums, then dZ
          ;; in the gemm layout [OC, images·OH·OW].
          (if (i32.lt_s (local.get $poolOh) (i32.const 0))
            (then
              (if (i32.ge_s (local.get $act) (i32.const 0))
                (then
                  (call $activation_grad_exact (local.get $act)
                    (i32.add (i32.load offset=88 (local.get $job))
                      (i32.sub (local.get $out) (i32.load offset=8 (local.get $job))))
                    (local.get $out) (local.get $outputs) (local.get $edge)))))
            (else
              ;; Pooled: the pooled gradient through the activation, then added at its cells
              ;; into the chunk's cleared output gradient.
              (if (i32.ge_s (local.get $act) (i32.const 0))
                (then
                  (call $activation_grad_exact (local.get $act)
                    (i32.add (i32.load offset=88 (local.get $job)) (local.get $at))
                    (i32.add (i32.load offset=108 (local.get $job)) (local.get $at))
                    (local.get $cells) (local.get $edge))))
              (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $outputs) (i32.const 2)))
              (call $unpool_add
                (i32.add (i32.load offset=108 (local.get $job)) (local.get $at))
                (i32.add (i32.load offset=104 (local.get $job)) (local.get $at))
                (local.get $out) (i32.mul (local.get $count) (local.get $oc)) (local.get $plane)
                (i32.mul (local.get $poolOh) (local.get $poolOw)))))
          (if (i32.ge_s (i32.load offset=92 (local.get $job)) (i32.const 0))
            (then
              (call $sum_axis (local.get $out)
                (i32.add (i32.load offset=92 (local.get $job))
                  (i32.shl (i32.mul (local.get $b0) (local.get $oc)) (i32.const 2)))
                (i32.mul (local.get $count) (local.get $oc)) (local.get $plane) (i32.const 1))))
          (call $swap_leading_axes (local.get $out)
            (local.get $product) (local.get $product) (local.get $count) (local.get $oc) (local.get $plane)
            (i32.const 0))
          (if (i32.ge_s (local.get $gw) (i32.const 0))
            (then
              ;; The lane's partial (+)= dZ·colsᵀ; its first chunk writes it.
              (call $im2col
                (i32.add (i32.load offset=4 (local.get $job))
                  (i32.shl (i32.mul (local.get $b0) (local.get $image)) (i32.const 2)))
                (local.get $cols) (local.get $count) (local.get $c) (local.get $h) (local.get $w)
                (local.get $kh) (local.get $kw) (local.get $stride) (local.get $pad) (local.get $oh) (local.get $ow))
              (call $gemm_on (local.get $product) (local.get $cols)
                (i32.add (local.get $gw) (i32.shl (i32.mul (local.get $t) (i32.mul (local.get $oc) (local.get $rows)))
                  (i32.const 2)))
                (local.get $oc) (local.get $rows) (local.get $np)
                (i32.or (global.get $GEMM_TRANS_B)
                  (select (i32.const 0) (global.get $GEMM_ACCUMULATE) (local.get $first)))
                (local.get $work) (local.get $edge))
              (local.set $first (i32.const 0))))
          (if (i32.ge_s (local.get $gx) (i32.const 0))
            (then
              ;; Wᵀ·dZ, folded into the chunk's own images of the input gradient.
              (call $gemm_on (i32.load offset=12 (local.get $job)) (local.get $product) (local.get $dCols)
                (local.get $rows) (local.get $np) (local.get $oc) (global.get $GEMM_TRANS_A)
                (local.get $work) (local.get $edge))
              (call $col2im (local.get $dCols)
                (i32.add (local.get $gx) (i32.shl (i32.mul (local.get $b0) (local.get $image)) (i32.const 2)))
                (local.get $count) (local.get $c) (local.get $h) (local.get $w) (local.get $kh) (local.get $kw)
                (local.get $stride) (local.get $pad) (local.get $oh) (local.get $ow))))))
      (local.set $b0 (i32.add (local.get $b0) (i32.mul (local.get $lanes) (local.get $chunk))))
      (br $chunks))))
