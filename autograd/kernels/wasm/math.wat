;; Vector math: exp and log of f32x4 vectors, four at a time ($exp4x4,
;; $log4x4), and log of one ($log4, for softmax's row sums); sigmoid and tanh
;; are finished from exp in the unary loop (elementwise.wat).
;;
;; The approximations are the Cephes single-precision ones (expf, logf,
;; tanhf): range reduction, then a short polynomial; constants are in
;; math_constants.wat. Measured max relative error against Math.exp/log/tanh
;; (2^20 points; wasm_test.ts asserts ≤ 2e-6): exp over [-87, 88] 8.2e-8,
;; log over [1e-38, 3e38] 7.8e-8, sigmoid over [-87, 88] 1.8e-7, tanh over
;; [-10, 10] 1.3e-7, i.e. 1-2 ulp; the same for both builds; subnormal
;; results of exp (x in [-104, -87]) within 1 subnormal step. Special values
;; follow IEEE: exp(±∞) = ∞ / 0, log(0) = −∞, log(x < 0) = NaN, log(∞) = ∞,
;; tanh and sigmoid saturate to ±1 / 0, 1, and NaN stays NaN everywhere.

;; e^x of four vectors. The argument is clamped to [EXP_MIN, EXP_MAX] (beyond
;; which the result is 0 or ∞ anyway), x = n·ln2 + r with |r| ≤ ln2/2
;; (Cody–Waite: ln2 in two parts so n·ln2 is exact), e^r by a degree-6
;; polynomial, and 2^n applied as 2^h·2^(n−h) with h = n/2, two normal powers
;; of two, so results that are subnormal or overflow still round correctly.
;;
;; Each step is written once per vector, side by side: one vector's steps
;; depend on each other (the Horner chain alone is six fused multiply-adds),
;; and V8 neither inlines this function nor reorders across its calls, so a
;; vector at a time left the core waiting on latency. Four independent chains
;; measured 1.44 → 0.68 ns per element (exp over 36,864 floats), with the
;; same operations per lane in the same order, so the same bits.
(func $exp4x4 (param $x0 v128) (param $x1 v128) (param $x2 v128) (param $x3 v128)
  (result v128 v128 v128 v128)
  (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
  (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
  (local $ni0 v128) (local $ni1 v128) (local $ni2 v128) (local $ni3 v128)
  (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
  (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
  (local $h0 v128) (local $h1 v128) (local $h2 v128) (local $h3 v128)
  ;; pmax/pmin (a < b ? b : a) keep a NaN x as it is.
  (local.set $x0 (f32x4.pmin (f32x4.pmax (local.get $x0) (global.get $EXP_MIN)) (global.get $EXP_MAX)))
  (local.set $x1 (f32x4.pmin (f32x4.pmax (local.get $x1) (global.get $EXP_MIN)) (global.get $EXP_MAX)))
  (local.set $x2 (f32x4.pmin (f32x4.pmax (local.get $x2) (global.get $EXP_MIN)) (global.get $EXP_MAX)))
  (local.set $x3 (f32x4.pmin (f32x4.pmax (local.get $x3) (global.get $EXP_MIN)) (global.get $EXP_MAX)))
  ;; n = round(x·log2 e): adding 1.5·2^23 rounds to an integer and leaves it in
  ;; the low mantissa bits ($t as i32 minus the bits of 1.5·2^23 is n), which
  ;; is cheaper than f32x4.nearest followed by i32x4.trunc_sat_f32x4_s on x64.
  (local.set $t0 (f32x4.relaxed_madd (local.get $x0) (global.get $LOG2E) (global.get $ROUND_MAGIC)))
  (local.set $t1 (f32x4.relaxed_madd (local.get $x1) (global.get $LOG2E) (global.get $ROUND_MAGIC)))
  (local.set $t2 (f32x4.relaxed_madd (local.get $x2) (global.get $LOG2E) (global.get $ROUND_MAGIC)))
  (local.set $t3 (f32x4.relaxed_madd (local.get $x3) (global.get $LOG2E) (global.get $ROUND_MAGIC)))
  (local.set $n0 (f32x4.sub (local.get $t0) (global.get $ROUND_MAGIC)))
  (local.set $n1 (f32x4.sub (local.get $t1) (global.get $ROUND_MAGIC)))
  (local.set $n2 (f32x4.sub (local.get $t2) (global.get $ROUND_MAGIC)))
  (local.set $n3 (f32x4.sub (local.get $t3) (global.get $ROUND_MAGIC)))
  (local.set $ni0 (i32x4.sub (local.get $t0) (global.get $ROUND_MAGIC_BITS)))
  (local.set $ni1 (i32x4.sub (local.get $t1) (global.get $ROUND_MAGIC_BITS)))
  (local.set $ni2 (i32x4.sub (local.get $t2) (global.get $ROUND_MAGIC_BITS)))
  (local.set $ni3 (i32x4.sub (local.get $t3) (global.get $ROUND_MAGIC_BITS)))
  ;; r = x − n·ln2 in two parts.
  (local.set $r0 (f32x4.relaxed_madd (local.get $n0) (f32x4.neg (global.get $LN2_HI)) (local.get $x0)))
  (local.set $r1 (f32x4.relaxed_madd (local.get $n1) (f32x4.neg (global.get $LN2_HI)) (local.get $x1)))
  (local.set $r2 (f32x4.relaxed_madd (local.get $n2) (f32x4.neg (global.get $LN2_HI)) (local.get $x2)))
  (local.set $r3 (f32x4.relaxed_madd (local.get $n3) (f32x4.neg (global.get $LN2_HI)) (local.get $x3)))
  (local.set $r0 (f32x4.relaxed_madd (local.get $n0) (f32x4.neg (global.get $LN2_LO)) (local.get $r0)))
  (local.set $r1 (f32x4.relaxed_madd (local.get $n1) (f32x4.neg (global.get $LN2_LO)) (local.get $r1)))
  (local.set $r2 (f32x4.relaxed_madd (local.get $n2) (f32x4.neg (global.get $LN2_LO)) (local.get $r2)))
  (local.set $r3 (f32x4.relaxed_madd (local.get $n3) (f32x4.neg (global.get $LN2_LO)) (local.get $r3)))
  ;; p = P(r) by Horner.
  (local.set $p0 (f32x4.relaxed_madd (global.get $EXP_P0) (local.get $r0) (global.get $EXP_P1)))
  (local.set $p1 (f32x4.relaxed_madd (global.get $EXP_P0) (local.get $r1) (global.get $EXP_P1)))
  (local.set $p2 (f32x4.relaxed_madd (global.get $EXP_P0) (local.get $r2) (global.get $EXP_P1)))
  (local.set $p3 (f32x4.relaxed_madd (global.get $EXP_P0) (local.get $r3) (global.get $EXP_P1)))
  (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $EXP_P2)))
  (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $EXP_P2)))
  (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $EXP_P2)))
  (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $EXP_P2)))
  (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $EXP_P3)))
  (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $EXP_P3)))
  (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $EXP_P3)))
  (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $EXP_P3)))
  (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $EXP_P4)))
  (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $EXP_P4)))
  (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $EXP_P4)))
  (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $EXP_P4)))
  (local.set $p0 (f32x4.relaxed_madd (local.get $p0) (local.get $r0) (global.get $EXP_P5)))
  (local.set $p1 (f32x4.relaxed_madd (local.get $p1) (local.get $r1) (global.get $EXP_P5)))
  (local.set $p2 (f32x4.relaxed_madd (local.get $p2) (local.get $r2) (global.get $EXP_P5)))
  (local.set $p3 (f32x4.relaxed_madd (local.get $p3) (local.get $r3) (global.get $EXP_P5)))
  ;; e^r ≈ 1 + r + r²·p
  (local.set $p0
    (f32x4.add
      (f32x4.relaxed_madd (local.get $p0) (f32x4.mul (local.get $r0) (local.get $r0)) (local.get $r0))
      (global.get $ONE)))
  (local.set $p1
    (f32x4.add
      (f32x4.relaxed_madd (local.get $p1) (f32x4.mul (local.get $r1) (local.get $r1)) (local.get $r1))
      (global.get $ONE)))
  (local.set $p2
    (f32x4.add
      (f32x4.relaxed_madd (local.get $p2) (f32x4.mul (local.get $r2) (local.get $r2)) (local.get $r2))
      (global.get $ONE)))
  (local.set $p3
    (f32x4.add
      (f32x4.relaxed_madd (local.get $p3) (f32x4.mul (local.get $r3) (local.get $r3)) (local.get $r3))
      (global.get $ONE)))
  ;; e^x = p·2^h·2^(n−h), h = n/2.
  (local.set $h0 (i32x4.shr_s (local.get $ni0) (i32.const 1)))
  (local.set $h1 (i32x4.shr_s (local.get $ni1) (i32.const 1)))
  (local.set $h2 (i32x4.shr_s (local.get $ni2) (i32.const 1)))
  (local.set $h3 (i32x4.shr_s (local.get $ni3) (i32.const 1)))
  (local.set $x0
    (f32x4.mul
      (f32x4.mul (local.get $p0)
        (i32x4.shl (i32x4.add (local.get $h0) (global.get $EXP_BIAS)) (i32.const 23)))
      (i32x4.shl
        (i32x4.add (i32x4.sub (local.get $ni0) (local.get $h0)) (global.get $EXP_BIAS))
        (i32.const 23))))
  (local.set $x1
    (f32x4.mul
      (f32x4.mul (local.get $p1)
        (i32x4.shl (i32x4.add (local.get $h1) (global.get $EXP_BIAS)) (i32.const 23)))
      (i32x4.shl
        (i32x4.add (i32x4.sub (local.get $ni1) (local.get $h1)) (global.get $EXP_BIAS))
        (i32.const 23))))
  (local.set $x2
    (f32x4.mul
      (f32x4.mul (local.get $p2)
        (i32x4.shl (i32x4.add (local.get $h2) (global.get $EXP_BIAS)) (i32.const 23)))
      (i32x4.shl
        (i32x4.add (i32x4.sub (local.get $ni2) (local.get $h2)) (global.get $EXP_BIAS))
        (i32.const 23))))
  (local.set $x3
    (f32x4.mul
      (f32x4.mul (local.get $p3)
        (i32x4.shl (i32x4.add (local.get $h3) (global.get $EXP_BIAS)) (i32.const 23)))
      (i32x4.shl
        (i32x4.add (i32x4.sub (local.get $ni3) (local.get $h3)) (global.get $EXP_BIAS))
        (i32.const 23))))
  (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3))

;; ln x. x = m·2^e with m in [√½, √2) (subnormals are first scaled by 2^23),
;; ln m = f − f²/2 + f³·P(f) with f = m − 1, plus e·ln2 in two parts.
(func $log4 (param $x v128) (result v128)
  (local $tiny v128) (local $bits v128) (local $e v128) (local $f v128) (local $low v128)
  (local $z v128) (local $y v128)
  (local.set $tiny (f32x4.lt (local.get $x) (global.get $FLT_MIN)))
  (local.set $bits
    (v128.bitselect (f32x4.mul (local.get $x) (global.get $TWO_POW_23)) (local.get $x) (local.get $tiny)))
  (local.set $e
    (f32x4.sub
      (f32x4.convert_i32x4_s
        (i32x4.sub (i32x4.shr_u (local.get $bits) (i32.const 23)) (global.get $HALF_EXPONENT)))
      (v128.and (local.get $tiny) (global.get $TWENTY_THREE))))
  ;; f = mantissa in [0.5, 1); below √½ use 2f − 1 and e − 1, else f − 1.
  (local.set $f
    (v128.or (v128.and (local.get $bits) (global.get $MANTISSA_BITS)) (global.get $HALF_BITS)))
  (local.set $low (f32x4.lt (local.get $f) (global.get $SQRT_HALF)))
  (local.set $e (f32x4.sub (local.get $e) (v128.and (local.get $low) (global.get $ONE))))
  (local.set $f
    (f32x4.sub (f32x4.add (local.get $f) (v128.and (local.get $low) (local.get $f))) (global.get $ONE)))
  (local.set $z (f32x4.mul (local.get $f) (local.get $f)))
  (local.set $y (f32x4.relaxed_madd (global.get $LOG_P0) (local.get $f) (global.get $LOG_P1)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P2)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P3)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P4)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P5)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P6)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P7)))
  (local.set $y (f32x4.relaxed_madd (local.get $y) (local.get $f) (global.get $LOG_P8)))
  (local.set $y (f32x4.mul (f32x4.mul (local.get $y) (local.get $f)) (local.get $z)))
  (local.set $y (f32x4.relaxed_madd (local.get $e) (global.get $LN2_LO) (local.get $y)))
  (local.set $y (f32x4.relaxed_madd (local.get $z) (global.get $MINUS_HALF) (local.get $y)))
  (local.set $y
    (f32x4.relaxed_madd (local.get $e) (global.get $LN2_HI) (f32x4.add (local.get $f) (local.get $y))))
  ;; Special values: ln 0 = −∞, ln ∞ = ∞, ln of a negative or NaN = NaN.
  (local.set $y
    (v128.bitselect (global.get $NEG_INF) (local.get $y) (f32x4.eq (local.get $x) (global.get $ZERO))))
  (local.set $y
    (v128.bitselect (global.get $INF) (local.get $y) (f32x4.eq (local.get $x) (global.get $INF))))
  (v128.bitselect (global.get $NAN) (local.get $y)
    (v128.or (f32x4.lt (local.get $x) (global.get $ZERO)) (f32x4.ne (local.get $x) (local.get $x)))))

;; $log4 of four vectors, each step written once per vector, side by side, so the four
;; chains overlap (as in $exp4x4): the same operations per lane, so the same bits. The
;; unary loop called $log4 four times per block: 105 µs for 36,864 floats in place, against
;; 55.5–56.3 here.
(func $log4x4 (param $x0 v128) (param $x1 v128) (param $x2 v128) (param $x3 v128)
  (result v128 v128 v128 v128)
  (local $tiny0 v128) (local $tiny1 v128) (local $tiny2 v128) (local $tiny3 v128)
  (local $bits0 v128) (local $bits1 v128) (local $bits2 v128) (local $bits3 v128)
  (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
  (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128)
  (local $low0 v128) (local $low1 v128) (local $low2 v128) (local $low3 v128)
  (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
  (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
  (local.set $tiny0 (f32x4.lt (local.get $x0) (global.get $FLT_MIN)))
  (local.set $tiny1 (f32x4.lt (local.get $x1) (global.get $FLT_MIN)))
  (local.set $tiny2 (f32x4.lt (local.get $x2) (global.get $FLT_MIN)))
  (local.set $tiny3 (f32x4.lt (local.get $x3) (global.get $FLT_MIN)))
  (local.set $bits0
    (v128.bitselect (f32x4.mul (local.get $x0) (global.get $TWO_POW_23)) (local.get $x0) (local.get $tiny0)))
  (local.set $bits1
    (v128.bitselect (f32x4.mul (local.get $x1) (global.get $TWO_POW_23)) (local.get $x1) (local.get $tiny1)))
  (local.set $bits2
    (v128.bitselect (f32x4.mul (local.get $x2) (global.get $TWO_POW_23)) (local.get $x2) (local.get $tiny2)))
  (local.set $bits3
    (v128.bitselect (f32x4.mul (local.get $x3) (global.get $TWO_POW_23)) (local.get $x3) (local.get $tiny3)))
  (local.set $e0
    (f32x4.sub
      (f32x4.convert_i32x4_s
        (i32x4.sub (i32x4.shr_u (local.get $bits0) (i32.const 23)) (global.get $HALF_EXPONENT)))
      (v128.and (local.get $tiny0) (global.get $TWENTY_THREE))))
  (local.set $e1
    (f32x4.sub
      (f32x4.convert_i32x4_s
        (i32x4.sub (i32x4.shr_u (local.get $bits1) (i32.const 23)) (global.get $HALF_EXPONENT)))
      (v128.and (local.get $tiny1) (global.get $TWENTY_THREE))))
  (local.set $e2
    (f32x4.sub
      (f32x4.convert_i32x4_s
        (i32x4.sub (i32x4.shr_u (local.get $bits2) (i32.const 23)) (global.get $HALF_EXPONENT)))
      (v128.and (local.get $tiny2) (global.get $TWENTY_THREE))))
  (local.set $e3
    (f32x4.sub
      (f32x4.convert_i32x4_s
        (i32x4.sub (i32x4.shr_u (local.get $bits3) (i32.const 23)) (global.get $HALF_EXPONENT)))
      (v128.and (local.get $tiny3) (global.get $TWENTY_THREE))))
  ;; f = mantissa in [0.5, 1); below √½ use 2f − 1 and e − 1, else f − 1.
  (local.set $f0 (v128.or (v128.and (local.get $bits0) (global.get $MANTISSA_BITS)) (global.get $HALF_BITS)))
  (local.set $f1 (v128.or (v128.and (local.get $bits1) (global.get $MANTISSA_BITS)) (global.get $HALF_BITS)))
  (local.set $f2 (v128.or (v128.and (local.get $bits2) (global.get $MANTISSA_BITS)) (global.get $HALF_BITS)))
  (local.set $f3 (v128.or (v128.and (local.get $bits3) (global.get $MANTISSA_BITS)) (global.get $HALF_BITS)))
  (local.set $low0 (f32x4.lt (local.get $f0) (global.get $SQRT_HALF)))
  (local.set $low1 (f32x4.lt (local.get $f1) (global.get $SQRT_HALF)))
  (local.set $low2 (f32x4.lt (local.get $f2) (global.get $SQRT_HALF)))
  (local.set $low3 (f32x4.lt (local.get $f3) (global.get $SQRT_HALF)))
  (local.set $e0 (f32x4.sub (local.get $e0) (v128.and (local.get $low0) (global.get $ONE))))
  (local.set $e1 (f32x4.sub (local.get $e1) (v128.and (local.get $low1) (global.get $ONE))))
  (local.set $e2 (f32x4.sub (local.get $e2) (v128.and (local.get $low2) (global.get $ONE))))
  (local.set $e3 (f32x4.sub (local.get $e3) (v128.and (local.get $low3) (global.get $ONE))))
  (local.set $f0
    (f32x4.sub (f32x4.add (local.get $f0) (v128.and (local.get $low0) (local.get $f0))) (global.get $ONE)))
  (local.set $f1
    (f32x4.sub (f32x4.add (local.get $f1) (v128.and (local.get $low1) (local.get $f1))) (global.get $ONE)))
  (local.set $f2
    (f32x4.sub (f32x4.add (local.get $f2) (v128.and (local.get $low2) (local.get $f2))) (global.get $ONE)))
  (local.set $f3
    (f32x4.sub (f32x4.add (local.get $f3) (v128.and (local.get $low3) (local.get $f3))) (global.get $ONE)))
  (local.set $z0 (f32x4.mul (local.get $f0) (local.get $f0)))
  (local.set $z1 (f32x4.mul (local.get $f1) (local.get $f1)))
  (local.set $z2 (f32x4.mul (local.get $f2) (local.get $f2)))
  (local.set $z3 (f32x4.mul (local.get $f3) (local.get $f3)))
  (local.set $y0 (f32x4.relaxed_madd (global.get $LOG_P0) (local.get $f0) (global.get $LOG_P1)))
  (local.set $y1 (f32x4.relaxed_madd (global.get $LOG_P0) (local.get $f1) (global.get $LOG_P1)))
  (local.set $y2 (f32x4.relaxed_madd (global.get $LOG_P0) (local.get $f2) (global.get $LOG_P1)))
  (local.set $y3 (f32x4.relaxed_madd (global.get $LOG_P0) (local.get $f3) (global.get $LOG_P1)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P2)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P2)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P2)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P2)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P3)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P3)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P3)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P3)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P4)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P4)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P4)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P4)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P5)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P5)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P5)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P5)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P6)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P6)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P6)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P6)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P7)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P7)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P7)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P7)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $y0) (local.get $f0) (global.get $LOG_P8)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $y1) (local.get $f1) (global.get $LOG_P8)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $y2) (local.get $f2) (global.get $LOG_P8)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $y3) (local.get $f3) (global.get $LOG_P8)))
  (local.set $y0 (f32x4.mul (f32x4.mul (local.get $y0) (local.get $f0)) (local.get $z0)))
  (local.set $y1 (f32x4.mul (f32x4.mul (local.get $y1) (local.get $f1)) (local.get $z1)))
  (local.set $y2 (f32x4.mul (f32x4.mul (local.get $y2) (local.get $f2)) (local.get $z2)))
  (local.set $y3 (f32x4.mul (f32x4.mul (local.get $y3) (local.get $f3)) (local.get $z3)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $e0) (global.get $LN2_LO) (local.get $y0)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $e1) (global.get $LN2_LO) (local.get $y1)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $e2) (global.get $LN2_LO) (local.get $y2)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $e3) (global.get $LN2_LO) (local.get $y3)))
  (local.set $y0 (f32x4.relaxed_madd (local.get $z0) (global.get $MINUS_HALF) (local.get $y0)))
  (local.set $y1 (f32x4.relaxed_madd (local.get $z1) (global.get $MINUS_HALF) (local.get $y1)))
  (local.set $y2 (f32x4.relaxed_madd (local.get $z2) (global.get $MINUS_HALF) (local.get $y2)))
  (local.set $y3 (f32x4.relaxed_madd (local.get $z3) (global.get $MINUS_HALF) (local.get $y3)))
  (local.set $y0
    (f32x4.relaxed_madd (local.get $e0) (global.get $LN2_HI) (f32x4.add (local.get $f0) (local.get $y0))))
  (local.set $y1
    (f32x4.relaxed_madd (local.get $e1) (global.get $LN2_HI) (f32x4.add (local.get $f1) (local.get $y1))))
  (local.set $y2
    (f32x4.relaxed_madd (local.get $e2) (global.get $LN2_HI) (f32x4.add (local.get $f2) (local.get $y2))))
  (local.set $y3
    (f32x4.relaxed_madd (local.get $e3) (global.get $LN2_HI) (f32x4.add (local.get $f3) (local.get $y3))))
  ;; Special values: ln 0 = −∞, ln ∞ = ∞, ln of a negative or NaN = NaN.
  (local.set $y0
    (v128.bitselect (global.get $NEG_INF) (local.get $y0) (f32x4.eq (local.get $x0) (global.get $ZERO))))
  (local.set $y1
    (v128.bitselect (global.get $NEG_INF) (local.get $y1) (f32x4.eq (local.get $x1) (global.get $ZERO))))
  (local.set $y2
    (v128.bitselect (global.get $NEG_INF) (local.get $y2) (f32x4.eq (local.get $x2) (global.get $ZERO))))
  (local.set $y3
    (v128.bitselect (global.get $NEG_INF) (local.get $y3) (f32x4.eq (local.get $x3) (global.get $ZERO))))
  (local.set $y0
    (v128.bitselect (global.get $INF) (local.get $y0) (f32x4.eq (local.get $x0) (global.get $INF))))
  (local.set $y1
    (v128.bitselect (global.get $INF) (local.get $y1) (f32x4.eq (local.get $x1) (global.get $INF))))
  (local.set $y2
    (v128.bitselect (global.get $INF) (local.get $y2) (f32x4.eq (local.get $x2) (global.get $INF))))
  (local.set $y3
    (v128.bitselect (global.get $INF) (local.get $y3) (f32x4.eq (local.get $x3) (global.get $INF))))
  (local.set $y0
    (v128.bitselect (global.get $NAN)
      (local.get $y0)
      (v128.or (f32x4.lt (local.get $x0) (global.get $ZERO)) (f32x4.ne (local.get $x0) (local.get $x0)))))
  (local.set $y1
    (v128.bitselect (global.get $NAN)
      (local.get $y1)
      (v128.or (f32x4.lt (local.get $x1) (global.get $ZERO)) (f32x4.ne (local.get $x1) (local.get $x1)))))
  (local.set $y2
    (v128.bitselect (global.get $NAN)
      (local.get $y2)
      (v128.or (f32x4.lt (local.get $x2) (global.get $ZERO)) (f32x4.ne (local.get $x2) (local.get $x2)))))
  (local.set $y3
    (v128.bitselect (global.get $NAN)
      (local.get $y3)
      (v128.or (f32x4.lt (local.get $x3) (global.get $ZERO)) (f32x4.ne (local.get $x3) (local.get $x3)))))
  (local.get $y0) (local.get $y1) (local.get $y2) (local.get $y3))
