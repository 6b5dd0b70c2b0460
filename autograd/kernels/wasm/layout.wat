;; Layout moves between the gemm layout [C, N, H·W] and N×C×H·W (layout.ts
;; is the TypeScript side).

;; out[j, i, :] = x[i, j, :] (+ bias[i] when $hasBias) for x of shape
;; [a, b, inner]: the conv op's move between the gemm layout [C, N, H·W] and
;; N×C×H·W. Reads x in order; each run of `inner` floats is one memory.copy,
;; or with the bias whole vectors and then the run's last inner mod 4 floats
;; one by one (a vector past the run's end would write into the next run).
(func $swap_leading_axes (export "swap_leading_axes")
  (param $x i32) (param $bias i32) (param $out i32) (param $a i32) (param $b i32) (param $inner i32)
  (param $hasBias i32)
  (local $i i32) (local $j i32) (local $k i32) (local $dst i32) (local $add f32) (local $add4 v128)
  (local $runBytes i32) (local $vecBytes i32) (local $dstStep i32)
  (local.set $runBytes (i32.shl (local.get $inner) (i32.const 2)))
  (local.set $vecBytes (i32.and (local.get $runBytes) (i32.const -16)))
  ;; Run (j, i) of out starts j·a + i runs in: a step of a runs per j.
  (local.set $dstStep (i32.mul (local.get $runBytes) (local.get $a)))
  (block $done
    (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $a)))
      (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $runBytes))))
      (local.set $add (f32.load (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $add4 (f32x4.splat (local.get $add)))
      (local.set $j (i32.const 0))
      (block $runsDone
        (loop $runs
          (br_if $runsDone (i32.ge_u (local.get $j) (local.get $b)))
          (if (local.get $hasBias)
            (then
              (local.set $k (i32.const 0))
              (block $vecDone
                (loop $vec
                  (br_if $vecDone (i32.ge_u (local.get $k) (local.get $vecBytes)))
                  (v128.store (i32.add (local.get $dst) (local.get $k))
                    (f32x4.add (v128.load (i32.add (local.get $x) (local.get $k))) (local.get $add4)))
                  (local.set $k (i32.add (local.get $k) (i32.const 16)))
                  (br $vec)))
              (block $tailDone
                (loop $tail
                  (br_if $tailDone (i32.ge_u (local.get $k) (local.get $runBytes)))
                  (f32.store (i32.add (local.get $dst) (local.get $k))
                    (f32.add (f32.load (i32.add (local.get $x) (local.get $k))) (local.get $add)))
                  (local.set $k (i32.add (local.get $k) (i32.const 4)))
                  (br $tail))))
            (else (memory.copy (local.get $dst) (local.get $x) (local.get $runBytes))))
          (local.set $x (i32.add (local.get $x) (local.get $runBytes)))
          (local.set $dst (i32.add (local.get $dst) (local.get $dstStep)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $runs)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))
