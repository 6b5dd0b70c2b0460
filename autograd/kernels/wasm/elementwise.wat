;; Element-wise array loops: unary functions, binary arithmetic and axpby.
;;
;; The loops run over whole vectors: n is rounded up to a multiple of 4 (of 16
;; for unary). The TypeScript side pads each scratch operand accordingly, so
;; the extra lanes read and write only padding, never another operand.
;;
;; The op is dispatched per vector with br_table rather than by one loop per
;; op: the branch always goes the same way within a call, so it predicts
;; perfectly.

;; out[i] = f_op(x[i]) for i < n; addresses in bytes, $out may equal $x.
;; Unary op codes (elementwise.ts mirrors them): 0 exp, 1 log, 2 sigmoid,
;; 3 tanh, 4 relu. Unlike the other loops this one runs over blocks of four
;; vectors (n rounded up to a multiple of 16; the TypeScript side reserves
;; whole chunks of a multiple of 16 floats), whose exps interleave (see
;; $exp4x4). The dispatch sits inside the loop body rather than in a helper:
;; V8 does not inline the math calls, and one call less per block measured
;; 10-25% faster for exp.
;;
;; The sigmoid and tanh are finished here too, from e = e^−|x| and e^2|x|.
;; The sigmoid is r = 1/(1 + e) for x ≥ 0 and e·r for x < 0 (e never
;; overflows, and tiny results keep their relative accuracy). Both are
;; written out per vector in the loop rather than in helpers, for the same
;; reason: the helpers' calls (and their calls of a one-vector step, around
;; which every live vector is spilled) took the sigmoid of 36,864 floats in
;; place from 29 µs (the exps alone) to 58.7 and tanh to 64–71; here they
;; take 44.5–45.9 and 49–50, with the same operations, so the same bits.
;; log, whose steps are many, is called once per block ($log4x4).
(func $unary (export "unary") (param $op i32) (param $x i32) (param $out i32) (param $n i32)
  (local $end i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
  (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
  (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
  (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
  (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $block
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v0 (v128.load (local.get $x)))
      (local.set $v1 (v128.load offset=16 (local.get $x)))
      (local.set $v2 (v128.load offset=32 (local.get $x)))
      (local.set $v3 (v128.load offset=48 (local.get $x)))
      (block $store
        (block $relu
          (block $tanh
            (block $sigmoid
              (block $log
                (block $exp
                  (br_table $exp $log $sigmoid $tanh $relu (local.get $op)))
                (call $exp4x4 (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3))
                (local.set $v3) (local.set $v2) (local.set $v1) (local.set $v0)
                (br $store))
              (call $log4x4 (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3))
              (local.set $v3) (local.set $v2) (local.set $v1) (local.set $v0)
              (br $store))
            (call $exp4x4
              (f32x4.neg (f32x4.abs (local.get $v0))) (f32x4.neg (f32x4.abs (local.get $v1)))
              (f32x4.neg (f32x4.abs (local.get $v2))) (f32x4.neg (f32x4.abs (local.get $v3))))
            (local.set $e3) (local.set $e2) (local.set $e1) (local.set $e0)
            (local.set $r0 (f32x4.div (global.get $ONE) (f32x4.add (global.get $ONE) (local.get $e0))))
            (local.set $r1 (f32x4.div (global.get $ONE) (f32x4.add (global.get $ONE) (local.get $e1))))
            (local.set $r2 (f32x4.div (global.get $ONE) (f32x4.add (global.get $ONE) (local.get $e2))))
            (local.set $r3 (f32x4.div (global.get $ONE) (f32x4.add (global.get $ONE) (local.get $e3))))
            (local.set $v0 (v128.bitselect (f32x4.mul (local.get $e0) (local.get $r0)) (local.get $r0)
              (f32x4.lt (local.get $v0) (global.get $ZERO))))
            (local.set $v1 (v128.bitselect (f32x4.mul (local.get $e1) (local.get $r1)) (local.get $r1)
              (f32x4.lt (local.get $v1) (global.get $ZERO))))
            (local.set $v2 (v128.bitselect (f32x4.mul (local.get $e2) (local.get $r2)) (local.get $r2)
              (f32x4.lt (local.get $v2) (global.get $ZERO))))
            (local.set $v3 (v128.bitselect (f32x4.mul (local.get $e3) (local.get $r3)) (local.get $r3)
              (f32x4.lt (local.get $v3) (global.get $ZERO))))
            (br $store))
          (call $exp4x4
            (f32x4.add (f32x4.abs (local.get $v0)) (f32x4.abs (local.get $v0)))
            (f32x4.add (f32x4.abs (local.get $v1)) (f32x4.abs (local.get $v1)))
            (f32x4.add (f32x4.abs (local.get $v2)) (f32x4.abs (local.get $v2)))
            (f32x4.add (f32x4.abs (local.get $v3)) (f32x4.abs (local.get $v3))))
          (local.set $e3) (local.set $e2) (local.set $e1) (local.set $e0)
          ;; tanh x = sign(x)·t(|x|): an odd polynomial t for |x| < 0.625, else
          ;; 1 − 2/(e + 1) with e = e^2|x|; the sign taken from x last (tanh −0 = −0).
          (local.set $r0 (f32x4.mul (local.get $v0) (local.get $v0)))
          (local.set $r1 (f32x4.mul (local.get $v1) (local.get $v1)))
          (local.set $r2 (f32x4.mul (local.get $v2) (local.get $v2)))
          (local.set $r3 (f32x4.mul (local.get $v3) (local.get $v3)))
          (local.set $p0 (f32x4.relaxed_madd (global.get $TANH_P0) (local.get $r0) (global.get $TANH_P1)))
          (local.set $p1 (f32x4.relaxed_madd (global.get $TANH_P0) (local.get $r1) (global.get $TANH_P1)))
          (local.set $p2 (f32x4.relaxed_madd (global.get $TANH_P0) (local.get $r2) (global.get $TANH_P1)))
          (local.set $p3 (f32x4.relaxed_madd (global.get $TANH_P0) (local.get $r3) (global.get $TANH_P1)))
          (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $TANH_P2)))
          (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $TANH_P2)))
          (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $TANH_P2)))
          (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $TANH_P2)))
          (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $TANH_P3)))
          (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $TANH_P3)))
          (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $TANH_P3)))
          (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $TANH_P3)))
          (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $TANH_P4)))
          (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $TANH_P4)))
          (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $TANH_P4)))
          (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $TANH_P4)))
          (local.set $p0
            (f32x4.relaxed_madd (f32x4.mul (local.get $p0) (local.get $r0))
              (f32x4.abs (local.get $v0))
              (f32x4.abs (local.get $v0))))
          (local.set $p1
            (f32x4.relaxed_madd (f32x4.mul (local.get $p1) (local.get $r1))
              (f32x4.abs (local.get $v1))
              (f32x4.abs (local.get $v1))))
          (local.set $p2
            (f32x4.relaxed_madd (f32x4.mul (local.get $p2) (local.get $r2))
              (f32x4.abs (local.get $v2))
              (f32x4.abs (local.get $v2))))
          (local.set $p3
            (f32x4.relaxed_madd (f32x4.mul (local.get $p3) (local.get $r3))
              (f32x4.abs (local.get $v3))
              (f32x4.abs (local.get $v3))))
          (local.set $e0
            (f32x4.sub (global.get $ONE)
              (f32x4.div (global.get $TWO) (f32x4.add (local.get $e0) (global.get $ONE)))))
          (local.set $e1
            (f32x4.sub (global.get $ONE)
              (f32x4.div (global.get $TWO) (f32x4.add (local.get $e1) (global.get $ONE)))))
          (local.set $e2
            (f32x4.sub (global.get $ONE)
              (f32x4.div (global.get $TWO) (f32x4.add (local.get $e2) (global.get $ONE)))))
          (local.set $e3
            (f32x4.sub (global.get $ONE)
              (f32x4.div (global.get $TWO) (f32x4.add (local.get $e3) (global.get $ONE)))))
          (local.set $v0
            (v128.or
              (v128.bitselect (local.get $p0)
                (local.get $e0)
                (f32x4.lt (f32x4.abs (local.get $v0)) (global.get $TANH_SMALL)))
              (v128.and (local.get $v0) (global.get $SIGN_BIT))))
          (local.set $v1
            (v128.or
              (v128.bitselect (local.get $p1)
                (local.get $e1)
                (f32x4.lt (f32x4.abs (local.get $v1)) (global.get $TANH_SMALL)))
              (v128.and (local.get $v1) (global.get $SIGN_BIT))))
          (local.set $v2
            (v128.or
              (v128.bitselect (local.get $p2)
                (local.get $e2)
                (f32x4.lt (f32x4.abs (local.get $v2)) (global.get $TANH_SMALL)))
              (v128.and (local.get $v2) (global.get $SIGN_BIT))))
          (local.set $v3
            (v128.or
              (v128.bitselect (local.get $p3)
                (local.get $e3)
                (f32x4.lt (f32x4.abs (local.get $v3)) (global.get $TANH_SMALL)))
              (v128.and (local.get $v3) (global.get $SIGN_BIT))))
          (br $store))
        ;; relu: x < 0 ? 0 : x, so NaN passes through (pmax(a, b) = a < b ? b : a).
        (local.set $v0 (f32x4.pmax (local.get $v0) (global.get $ZERO)))
        (local.set $v1 (f32x4.pmax (local.get $v1) (global.get $ZERO)))
        (local.set $v2 (f32x4.pmax (local.get $v2) (global.get $ZERO)))
        (local.set $v3 (f32x4.pmax (local.get $v3) (global.get $ZERO))))
      (v128.store (local.get $out) (local.get $v0))
      (v128.store offset=16 (local.get $out) (local.get $v1))
      (v128.store offset=32 (local.get $out) (local.get $v2))
      (v128.store offset=48 (local.get $out) (local.get $v3))
      (local.set $x (i32.add (local.get $x) (i32.const 64)))
      (local.set $out (i32.add (local.get $out) (i32.const 64)))
      (br $block))))

;; Binary op codes (elementwise.ts mirrors them).
;;   0 add, 1 sub, 2 mul, 3 div
(func $binary4 (param $op i32) (param $a v128) (param $b v128) (result v128)
  (block $div
    (block $mul
      (block $sub
        (block $add
          (br_table $add $sub $mul $div (local.get $op)))
        (return (f32x4.add (local.get $a) (local.get $b))))
      (return (f32x4.sub (local.get $a) (local.get $b))))
    (return (f32x4.mul (local.get $a) (local.get $b))))
  (f32x4.div (local.get $a) (local.get $b)))

;; out[i] = f_op(a[i], b[i]) for i < n; addresses in bytes.
(func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
  (local $end i32)
  (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $vec
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (v128.store (local.get $out)
        (call $binary4 (local.get $op) (v128.load (local.get $a)) (v128.load (local.get $b))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vec))))

;; out[i] = a[i]·alpha + b[i]·beta for i < n (f32 arithmetic); addresses in bytes.
(func (export "axpby")
  (param $a i32) (param $alpha f32) (param $b i32) (param $beta f32) (param $out i32) (param $n i32)
  (local $end i32) (local $va v128) (local $vb v128)
  (local.set $va (f32x4.splat (local.get $alpha)))
  (local.set $vb (f32x4.splat (local.get $beta)))
  (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $vec
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (v128.store (local.get $out)
        (f32x4.relaxed_madd (v128.load (local.get $a)) (local.get $va)
          (f32x4.mul (v128.load (local.get $b)) (local.get $vb))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vec))))
