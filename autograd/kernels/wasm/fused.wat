;; Fused kernels of a linear layer and of the squared error (fused.ts is the
;; TypeScript side): the bias add, the activation backward and the squared
;; error backward. Each f32 operation rounds on its own, exactly as the
;; reference loops (which round every step with Math.fround) and the unfused
;; element-wise kernels do, so all three give the same bits.

;; out[r, j] = x[r, j] + bias[j] for `rows` rows of length $n; addresses in
;; bytes, $out may equal $x. Rows are not vector-aligned when $n is not a
;; multiple of 4, so each row runs whole vectors (unaligned loads are legal)
;; and then its last $n mod 4 elements one by one: a vector running past the
;; row end would write the next row before reading it.
(func (export "add_bias")
  (param $x i32) (param $bias i32) (param $out i32) (param $rows i32) (param $n i32)
  (local $j i32) (local $vecEnd i32) (local $rowBytes i32) (local $r i32)
  (local.set $rowBytes (i32.shl (local.get $n) (i32.const 2)))
  (local.set $vecEnd (i32.and (local.get $rowBytes) (i32.const -16)))
  (block $rowsDone
    (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $vecDone
        (loop $vec
          (br_if $vecDone (i32.ge_u (local.get $j) (local.get $vecEnd)))
          (v128.store (i32.add (local.get $out) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $x) (local.get $j)))
              (v128.load (i32.add (local.get $bias) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $vec)))
      (block $tailDone
        (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $j) (local.get $rowBytes)))
          (f32.store (i32.add (local.get $out) (local.get $j))
            (f32.add
              (f32.load (i32.add (local.get $x) (local.get $j)))
              (f32.load (i32.add (local.get $bias) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $tail)))
      (local.set $x (i32.add (local.get $x) (local.get $rowBytes)))
      (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))

;; out[i] = grad[i]·f′(y[i]) for i < n, f′ written in the activation's output:
;; op 0 sigmoid y·(1 − y), 1 tanh 1 − y·y, 2 relu [y > 0] (as 1.0 or 0.0, then
;; multiplied, so a zero keeps the gradient's sign and NaN·0 stays NaN, as
;; the unfused mul(g, step(x)) does). Blocks of four vectors (n rounded up to
;; a multiple of 16: the TypeScript side reserves whole chunks of a multiple
;; of 16 floats), one dispatch per block; a vector at a time, the sigmoid's
;; took 9.0 µs for 36,864 floats and ReLU's 11.1. $out may equal $grad.
(func $activation_grad (export "activation_grad")
  (param $op i32) (param $y i32) (param $grad i32) (param $out i32) (param $n i32)
  (local $end i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
  (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
  (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $block
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (local.set $v0 (v128.load (local.get $y)))
      (local.set $v1 (v128.load offset=16 (local.get $y)))
      (local.set $v2 (v128.load offset=32 (local.get $y)))
      (local.set $v3 (v128.load offset=48 (local.get $y)))
      (block $store
        (block $relu
          (block $tanh
            (block $sigmoid
              (br_table $sigmoid $tanh $relu (local.get $op)))
            (local.set $d0 (f32x4.mul (local.get $v0) (f32x4.sub (global.get $ONE) (local.get $v0))))
            (local.set $d1 (f32x4.mul (local.get $v1) (f32x4.sub (global.get $ONE) (local.get $v1))))
            (local.set $d2 (f32x4.mul (local.get $v2) (f32x4.sub (global.get $ONE) (local.get $v2))))
            (local.set $d3 (f32x4.mul (local.get $v3) (f32x4.sub (global.get $ONE) (local.get $v3))))
            (br $store))
          (local.set $d0 (f32x4.sub (global.get $ONE) (f32x4.mul (local.get $v0) (local.get $v0))))
          (local.set $d1 (f32x4.sub (global.get $ONE) (f32x4.mul (local.get $v1) (local.get $v1))))
          (local.set $d2 (f32x4.sub (global.get $ONE) (f32x4.mul (local.get $v2) (local.get $v2))))
          (local.set $d3 (f32x4.sub (global.get $ONE) (f32x4.mul (local.get $v3) (local.get $v3))))
          (br $store))
        (local.set $d0 (v128.and (f32x4.gt (local.get $v0) (global.get $ZERO)) (global.get $ONE)))
        (local.set $d1 (v128.and (f32x4.gt (local.get $v1) (global.get $ZERO)) (global.get $ONE)))
        (local.set $d2 (v128.and (f32x4.gt (local.get $v2) (global.get $ZERO)) (global.get $ONE)))
        (local.set $d3 (v128.and (f32x4.gt (local.get $v3) (global.get $ZERO)) (global.get $ONE))))
      (v128.store (local.get $out)
        (f32x4.mul (v128.load (local.get $grad)) (local.get $d0)))
      (v128.store offset=16 (local.get $out)
        (f32x4.mul (v128.load offset=16 (local.get $grad)) (local.get $d1)))
      (v128.store offset=32 (local.get $out)
        (f32x4.mul (v128.load offset=32 (local.get $grad)) (local.get $d2)))
      (v128.store offset=48 (local.get $out)
        (f32x4.mul (v128.load offset=48 (local.get $grad)) (local.get $d3)))
      (local.set $y (i32.add (local.get $y) (i32.const 64)))
      (local.set $grad (i32.add (local.get $grad) (i32.const 64)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (br $block))))

;; out[i] = 2·(seed·x[i]) for i < n, out may be x (the squared error's backward;
;; doubling is exact, so the sum of two equal products is reproduced).
(func (export "squared_error_grad") (param $x i32) (param $out i32) (param $seed f32) (param $n i32)
  (local $end i32) (local $s v128) (local $p v128)
  (local.set $s (f32x4.splat (local.get $seed)))
  (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $vec
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $p (f32x4.mul (local.get $s) (v128.load (local.get $x))))
      (v128.store (local.get $out) (f32x4.add (local.get $p) (local.get $p)))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vec))))
