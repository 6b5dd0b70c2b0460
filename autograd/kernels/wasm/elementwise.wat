;; Element-wise array loops: unary functions, binary arithmetic and axpby.
;;
;; Every loop runs over whole vectors: n is rounded up to a multiple of 4.
;; The TypeScript side pads each scratch operand to 16 bytes, so the extra
;; lanes read and write only padding, never another operand.
;;
;; The op is dispatched per vector with br_table rather than by one loop per
;; op: the branch always goes the same way within a call, so it predicts
;; perfectly.

;; out[i] = f_op(x[i]) for i < n; addresses in bytes, $out may equal $x.
;; Unary op codes (elementwise.ts mirrors them): 0 exp, 1 log, 2 sigmoid,
;; 3 tanh, 4 relu. The dispatch sits inside the loop body rather than in a
;; helper: V8 does not inline wasm calls, and one call less per vector
;; measured 10-25% faster for exp.
(func (export "unary") (param $op i32) (param $x i32) (param $out i32) (param $n i32)
  (local $end i32) (local $v v128)
  (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
  (block $done
    (loop $vec
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (block $store
        (block $relu
          (block $tanh
            (block $sigmoid
              (block $log
                (block $exp
                  (br_table $exp $log $sigmoid $tanh $relu (local.get $op)))
                (local.set $v (call $exp4 (local.get $v)))
                (br $store))
              (local.set $v (call $log4 (local.get $v)))
              (br $store))
            (local.set $v (call $sigmoid4 (local.get $v)))
            (br $store))
          (local.set $v (call $tanh4 (local.get $v)))
          (br $store))
        ;; relu: x < 0 ? 0 : x, so NaN passes through (pmax(a, b) = a < b ? b : a).
        (local.set $v (f32x4.pmax (local.get $v) (global.get $ZERO))))
      (v128.store (local.get $out) (local.get $v))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $out (i32.add (local.get $out) (i32.const 16)))
      (br $vec))))

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
