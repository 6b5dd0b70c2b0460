;; Vector math: exp, log, sigmoid and tanh of four f32 lanes at a time.
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

;; e^x. The argument is clamped to [EXP_MIN, EXP_MAX] (beyond which the
;; result is 0 or ∞ anyway), x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite: ln2
;; in two parts so n·ln2 is exact), e^r by a degree-6 polynomial, and 2^n
;; applied as 2^h·2^(n−h) with h = n/2, two normal powers of two, so results
;; that are subnormal or overflow still round correctly.
(func $exp4 (param $x v128) (result v128)
  (local $t v128) (local $n v128) (local $r v128) (local $p v128) (local $ni v128) (local $h v128)
  ;; pmax/pmin (a < b ? b : a) keep a NaN x as it is.
  (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (global.get $EXP_MIN)) (global.get $EXP_MAX)))
  ;; n = round(x·log2 e): adding 1.5·2^23 rounds to an integer and leaves it in
  ;; the low mantissa bits ($t as i32 minus the bits of 1.5·2^23 is n), which
  ;; is cheaper than f32x4.nearest followed by i32x4.trunc_sat_f32x4_s on x64.
  (local.set $t (f32x4.relaxed_madd (local.get $x) (global.get $LOG2E) (global.get $ROUND_MAGIC)))
  (local.set $n (f32x4.sub (local.get $t) (global.get $ROUND_MAGIC)))
  (local.set $ni (i32x4.sub (local.get $t) (global.get $ROUND_MAGIC_BITS)))
  (local.set $r (f32x4.relaxed_madd (local.get $n) (f32x4.neg (global.get $LN2_HI)) (local.get $x)))
  (local.set $r (f32x4.relaxed_madd (local.get $n) (f32x4.neg (global.get $LN2_LO)) (local.get $r)))
  (local.set $p (f32x4.relaxed_madd (global.get $EXP_P0) (local.get $r) (global.get $EXP_P1)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (global.get $EXP_P2)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (global.get $EXP_P3)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (global.get $EXP_P4)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $r) (global.get $EXP_P5)))
  ;; e^r ≈ 1 + r + r²·p
  (local.set $p
    (f32x4.add
      (f32x4.relaxed_madd (local.get $p) (f32x4.mul (local.get $r) (local.get $r)) (local.get $r))
      (global.get $ONE)))
  (local.set $h (i32x4.shr_s (local.get $ni) (i32.const 1)))
  (f32x4.mul
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (local.get $h) (global.get $EXP_BIAS)) (i32.const 23)))
    (i32x4.shl
      (i32x4.add (i32x4.sub (local.get $ni) (local.get $h)) (global.get $EXP_BIAS))
      (i32.const 23))))

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

;; 1 / (1 + e^−x), computed from e = e^−|x| (never overflows) as 1/(1+e) for
;; x ≥ 0 and e/(1+e) for x < 0, so tiny results keep their relative accuracy.
(func $sigmoid4 (param $x v128) (result v128)
  (local $e v128) (local $r v128)
  (local.set $e (call $exp4 (f32x4.neg (f32x4.abs (local.get $x)))))
  (local.set $r (f32x4.div (global.get $ONE) (f32x4.add (global.get $ONE) (local.get $e))))
  (v128.bitselect (f32x4.mul (local.get $e) (local.get $r)) (local.get $r)
    (f32x4.lt (local.get $x) (global.get $ZERO))))

;; tanh x = sign(x)·t(|x|) with t an odd polynomial for |x| < 0.625, else
;; 1 − 2/(e^2|x| + 1) (which reaches exactly 1 once e^2|x| overflows). Taking
;; the sign from x last keeps tanh(−0) = −0.
(func $tanh4 (param $x v128) (result v128)
  (local $ax v128) (local $z v128) (local $p v128) (local $big v128)
  (local.set $ax (f32x4.abs (local.get $x)))
  (local.set $z (f32x4.mul (local.get $x) (local.get $x)))
  (local.set $p (f32x4.relaxed_madd (global.get $TANH_P0) (local.get $z) (global.get $TANH_P1)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z) (global.get $TANH_P2)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z) (global.get $TANH_P3)))
  (local.set $p (f32x4.relaxed_madd (local.get $p) (local.get $z) (global.get $TANH_P4)))
  (local.set $p
    (f32x4.relaxed_madd (f32x4.mul (local.get $p) (local.get $z)) (local.get $ax) (local.get $ax)))
  (local.set $big
    (f32x4.sub (global.get $ONE)
      (f32x4.div (global.get $TWO)
        (f32x4.add (call $exp4 (f32x4.add (local.get $ax) (local.get $ax))) (global.get $ONE)))))
  (v128.or
    (v128.bitselect (local.get $p) (local.get $big) (f32x4.lt (local.get $ax) (global.get $TANH_SMALL)))
    (v128.and (local.get $x) (global.get $SIGN_BIT))))
