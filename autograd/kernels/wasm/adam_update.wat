;; Adam's update in one pass (adam_update.ts is the TypeScript side). Every
;; operation is the one the unfused ops ran on this backend, in the same
;; order: f32 add/mul/div/sqrt round on their own, as the element-wise
;; kernels (and the reference loops, whose float64 results of float32
;; operands round to the same float32) do, and each of Adam's three moves is
;; written exactly as elementwise.wat's axpby writes a·alpha + b·beta:
;; `f32x4.relaxed_madd a alpha (b·beta)`. So the relaxed build fuses the same
;; multiply-adds as its axpby (where the engine fuses them at all), and the
;; plain build, whose relaxed_madd becomes mul then add, rounds as its own.
;;
;; There is no scalar tail: an f32 tail could not fuse like relaxed_madd, so
;; the loop runs whole vectors over operands padded to a multiple of 4, as in
;; elementwise.wat; the padding lanes compute garbage that is never copied out.

;; One Adam step over n elements of p, g, m, v (byte addresses, each padded
;; to a multiple of 4 floats), p, m and v in place:
;;   g′ = $decay ? g + p·$wd : g
;;   m ← m·$b1 + g′·$c1,   v ← v·$b2 + (g′·g′)·$c2
;;   p ← p·1 + (m / (√(v / $corr2) + $eps))·$scale
;; with $c1 = 1 − β₁, $c2 = 1 − β₂, $corr2 = 1 − β₂ᵗ, $scale = −lr/(1 − β₁ᵗ).
(func (export "adam_update")
  (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
  (param $decay i32) (param $wd f32) (param $b1 f32) (param $c1 f32) (param $b2 f32)
  (param $c2 f32) (param $corr2 f32) (param $eps f32) (param $scale f32)
  (local $i i32) (local $end i32)
  (local $vwd v128) (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128)
  (local $vcorr2 v128) (local $veps v128) (local $vscale v128)
  (local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)
  (local.set $vwd (f32x4.splat (local.get $wd)))
  (local.set $vb1 (f32x4.splat (local.get $b1)))
  (local.set $vc1 (f32x4.splat (local.get $c1)))
  (local.set $vb2 (f32x4.splat (local.get $b2)))
  (local.set $vc2 (f32x4.splat (local.get $c2)))
  (local.set $vcorr2 (f32x4.splat (local.get $corr2)))
  (local.set $veps (f32x4.splat (local.get $eps)))
  (local.set $vscale (f32x4.splat (local.get $scale)))
  (local.set $end (i32.shl (local.get $n) (i32.const 2)))
  (block $done
    (loop $vec
      (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $pv (v128.load (i32.add (local.get $p) (local.get $i))))
      (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
      ;; A branch that goes the same way for the whole call: it predicts perfectly.
      (if (local.get $decay)
        (then
          (local.set $gv
            (f32x4.add (local.get $gv) (f32x4.mul (local.get $pv) (local.get $vwd))))))
      (local.set $mv
        (f32x4.relaxed_madd (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $vb1)
          (f32x4.mul (local.get $gv) (local.get $vc1))))
      (local.set $vv
        (f32x4.relaxed_madd (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $vb2)
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $vc2))))
      (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mv))
      (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
      (v128.store (i32.add (local.get $p) (local.get $i))
        (f32x4.relaxed_madd (local.get $pv) (global.get $ONE)
          (f32x4.mul
            (f32x4.div (local.get $mv)
              (f32x4.add
                (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $vcorr2)))
                (local.get $veps)))
            (local.get $vscale))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $vec))))
