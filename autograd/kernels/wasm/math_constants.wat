;; Vector constants of the math functions (math.wat), as immutable v128
;; globals. V8 reads a global with one load; an f32x4.splat of a constant
;; inside a function is rematerialised (scalar move + shuffle) on every call,
;; which measured 25% slower for log (2.0 against 1.5 ns per element).

;; General.
(global $ZERO v128 (v128.const f32x4 0 0 0 0))
(global $ONE v128 (v128.const f32x4 1 1 1 1))
(global $TWO v128 (v128.const f32x4 2 2 2 2))
(global $INF v128 (v128.const f32x4 inf inf inf inf))
(global $NEG_INF v128 (v128.const f32x4 -inf -inf -inf -inf))
(global $NAN v128 (v128.const f32x4 nan nan nan nan))
(global $SIGN_BIT v128 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))

;; exp: clamp range (beyond it e^x rounds to 0 or ∞), ln 2 split so n·LN2_HI is exact,
;; 1.5·2^23 (adding it rounds to an integer) and its bits, the exponent bias,
;; and the Cephes expf polynomial, highest degree first.
(global $EXP_MIN v128 (v128.const f32x4 -104 -104 -104 -104))
(global $EXP_MAX v128 (v128.const f32x4 88.8 88.8 88.8 88.8))
(global $LOG2E v128 (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
(global $LN2_HI v128 (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
(global $LN2_LO v128 (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
(global $ROUND_MAGIC v128 (v128.const f32x4 12582912 12582912 12582912 12582912))
(global $ROUND_MAGIC_BITS v128 (v128.const i32x4 0x4b400000 0x4b400000 0x4b400000 0x4b400000))
(global $EXP_BIAS v128 (v128.const i32x4 127 127 127 127))
(global $EXP_P0 v128 (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
(global $EXP_P1 v128 (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
(global $EXP_P2 v128 (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
(global $EXP_P3 v128 (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
(global $EXP_P4 v128 (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
(global $EXP_P5 v128 (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))

;; log: the smallest normal f32, 2^23 (scales subnormals up), the mantissa mask,
;; the bits of 0.5 and its exponent field, √½, and the Cephes logf polynomial.
(global $FLT_MIN v128 (v128.const f32x4 1.17549435e-38 1.17549435e-38 1.17549435e-38 1.17549435e-38))
(global $TWO_POW_23 v128 (v128.const f32x4 8388608 8388608 8388608 8388608))
(global $TWENTY_THREE v128 (v128.const f32x4 23 23 23 23))
(global $MANTISSA_BITS v128 (v128.const i32x4 0x007fffff 0x007fffff 0x007fffff 0x007fffff))
(global $HALF_BITS v128 (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
(global $HALF_EXPONENT v128 (v128.const i32x4 126 126 126 126))
(global $SQRT_HALF v128 (v128.const f32x4 0.707106781186547524 0.707106781186547524 0.707106781186547524 0.707106781186547524))
(global $MINUS_HALF v128 (v128.const f32x4 -0.5 -0.5 -0.5 -0.5))
(global $LOG_P0 v128 (v128.const f32x4 7.0376836292e-2 7.0376836292e-2 7.0376836292e-2 7.0376836292e-2))
(global $LOG_P1 v128 (v128.const f32x4 -1.1514610310e-1 -1.1514610310e-1 -1.1514610310e-1 -1.1514610310e-1))
(global $LOG_P2 v128 (v128.const f32x4 1.1676998740e-1 1.1676998740e-1 1.1676998740e-1 1.1676998740e-1))
(global $LOG_P3 v128 (v128.const f32x4 -1.2420140846e-1 -1.2420140846e-1 -1.2420140846e-1 -1.2420140846e-1))
(global $LOG_P4 v128 (v128.const f32x4 1.4249322787e-1 1.4249322787e-1 1.4249322787e-1 1.4249322787e-1))
(global $LOG_P5 v128 (v128.const f32x4 -1.6668057665e-1 -1.6668057665e-1 -1.6668057665e-1 -1.6668057665e-1))
(global $LOG_P6 v128 (v128.const f32x4 2.0000714765e-1 2.0000714765e-1 2.0000714765e-1 2.0000714765e-1))
(global $LOG_P7 v128 (v128.const f32x4 -2.4999993993e-1 -2.4999993993e-1 -2.4999993993e-1 -2.4999993993e-1))
(global $LOG_P8 v128 (v128.const f32x4 3.3333331174e-1 3.3333331174e-1 3.3333331174e-1 3.3333331174e-1))

;; tanh: where the polynomial hands over to the exp form, and the Cephes tanhf
;; polynomial in x².
(global $TANH_SMALL v128 (v128.const f32x4 0.625 0.625 0.625 0.625))
(global $TANH_P0 v128 (v128.const f32x4 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3 -5.70498872745e-3))
(global $TANH_P1 v128 (v128.const f32x4 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2 2.06390887954e-2))
(global $TANH_P2 v128 (v128.const f32x4 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2 -5.37397155531e-2))
(global $TANH_P3 v128 (v128.const f32x4 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1 1.33314422036e-1))
(global $TANH_P4 v128 (v128.const f32x4 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1 -3.33332819422e-1))
