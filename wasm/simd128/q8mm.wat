;; Matrix products of Q8_0 and Q4_0 weights with several tokens'
;; activations (a prefill), quantized as for q8.wat's matrix-vector products:
;; a weight block is widened once and multiplied with four tokens' blocks,
;; and the row's scale is applied to the four tokens in one vector (lane k is
;; token t+k). Each output gets the same operations in the same order as
;; q8.wat's matvec gives it, so prefill and decode agree bit for bit.
;;
;; Layout: token t's int16 values at xq + t·blocks·64 bytes; block b's scales
;; (and sums) of tokens t..t+3 at xd + (b·tstride + t)·4, so that one vector
;; load reads them; out[t][r] at out + (t·rows + r)·4. The activations are
;; padded to a multiple of four tokens (tstride): the padding's lanes are
;; computed and not stored.
(module
  (import "go" "mem" (memory 0))

  ;; matmul_q8_0: out[t][r] = row r of Q8_0 weights · token t, for
  ;; t < tokens and r < rows.
  (func (export "matmul_q8_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32) (param $tokens i32) (param $tstride i32)
    (local $t i32) (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sp i32)
    (local $left i32) (local $tb1 i32) (local $tb2 i32) (local $tb3 i32) (local $o i32) (local $ob i32) (local $h i32)
    (local $acc v128) (local $q v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    ;; bytes between consecutive tokens' values, and outputs
    (local.set $tb1 (i32.shl (local.get $blocks) (i32.const 6)))
    (local.set $tb2 (i32.shl (local.get $tb1) (i32.const 1)))
    (local.set $tb3 (i32.mul (local.get $tb1) (i32.const 3)))
    (local.set $ob (i32.shl (local.get $rows) (i32.const 2)))
    (block $tdone
      (loop $tokens4
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $tokens)))
        (local.set $left (i32.sub (i32.sub (local.get $tokens) (local.get $t)) (i32.const 1)))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $row
            (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
            (local.set $x (i32.add (local.get $xq) (i32.mul (local.get $t) (local.get $tb1))))
            (local.set $sp (i32.shl (local.get $t) (i32.const 2)))
            (local.set $b (i32.const 0))
            (block $bdone
              (loop $block
                (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
                (local.set $q (v128.load offset=2 (local.get $p)))
                (local.set $w0 (i16x8.extend_low_i8x16_s (local.get $q)))
                (local.set $w1 (i16x8.extend_high_i8x16_s (local.get $q)))
                (local.set $q (v128.load offset=18 (local.get $p)))
                (local.set $w2 (i16x8.extend_low_i8x16_s (local.get $q)))
                (local.set $w3 (i16x8.extend_high_i8x16_s (local.get $q)))
                (local.set $s0 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (local.get $x)))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (local.get $x))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (local.get $x)))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (local.get $x))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s0))
                (local.set $s1 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb1))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb1)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb1))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb1)))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s1))
                (local.set $s2 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb2))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb2)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb2))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb2)))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s2))
                (local.set $s3 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb3))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb3)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb3))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb3)))))))
                ;; lane k of sum = the whole integer dot product with token t+k
                (local.set $s0 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
                (local.set $s2 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
                (local.set $s0 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s2))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
                (local.set $h (i32.load16_u (local.get $p)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul
                    (f32x4.convert_i32x4_s (local.get $s0))
                    (f32x4.mul
                      ;; the row's F16 scale, widened exactly (it is finite)
                      (f32x4.splat (f32.copysign
                        (f32.mul
                          (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
                          (f32.const 0x1p112))
                        (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16)))))
                      (v128.load (i32.add (local.get $xd) (local.get $sp)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 34)))
                (local.set $x (i32.add (local.get $x) (i32.const 64)))
                (local.set $sp (i32.add (local.get $sp) (i32.shl (local.get $tstride) (i32.const 2))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $block)))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))))
            (v128.store32_lane 0 (local.get $o) (local.get $acc))
            (if (i32.ge_s (local.get $left) (i32.const 1))
              (then (v128.store32_lane 1 (i32.add (local.get $o) (local.get $ob)) (local.get $acc))))
            (if (i32.ge_s (local.get $left) (i32.const 2))
              (then (v128.store32_lane 2 (i32.add (local.get $o) (i32.shl (local.get $ob) (i32.const 1))) (local.get $acc))))
            (if (i32.ge_s (local.get $left) (i32.const 3))
              (then (v128.store32_lane 3 (i32.add (local.get $o) (i32.mul (local.get $ob) (i32.const 3))) (local.get $acc))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $row)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $tokens4))))

  ;; matmul_q4_0: out[t][r] = row r of Q4_0 weights · token t, for
  ;; t < tokens and r < rows.
  (func (export "matmul_q4_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $xs i32) (param $out i32)
        (param $rows i32) (param $blocks i32) (param $tokens i32) (param $tstride i32)
    (local $t i32) (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sp i32)
    (local $left i32) (local $tb1 i32) (local $tb2 i32) (local $tb3 i32) (local $o i32) (local $ob i32) (local $h i32)
    (local $acc v128) (local $q v128) (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    ;; bytes between consecutive tokens' values, and outputs
    (local.set $tb1 (i32.shl (local.get $blocks) (i32.const 6)))
    (local.set $tb2 (i32.shl (local.get $tb1) (i32.const 1)))
    (local.set $tb3 (i32.mul (local.get $tb1) (i32.const 3)))
    (local.set $ob (i32.shl (local.get $rows) (i32.const 2)))
    (block $tdone
      (loop $tokens4
        (br_if $tdone (i32.ge_s (local.get $t) (local.get $tokens)))
        (local.set $left (i32.sub (i32.sub (local.get $tokens) (local.get $t)) (i32.const 1)))
        (local.set $r (i32.const 0))
        (block $rdone
          (loop $row
            (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
            (local.set $x (i32.add (local.get $xq) (i32.mul (local.get $t) (local.get $tb1))))
            (local.set $sp (i32.shl (local.get $t) (i32.const 2)))
            (local.set $b (i32.const 0))
            (block $bdone
              (loop $block
                (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
                (local.set $q (v128.load offset=2 (local.get $p)))
                (local.set $w2 (i16x8.extend_low_i8x16_u (local.get $q)))
                (local.set $w3 (i16x8.extend_high_i8x16_u (local.get $q)))
                (local.set $w0 (v128.and (local.get $w2) (v128.const i16x8 15 15 15 15 15 15 15 15)))
                (local.set $w1 (v128.and (local.get $w3) (v128.const i16x8 15 15 15 15 15 15 15 15)))
                (local.set $w2 (i16x8.shr_u (local.get $w2) (i32.const 4)))
                (local.set $w3 (i16x8.shr_u (local.get $w3) (i32.const 4)))
                (local.set $s0 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (local.get $x)))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (local.get $x))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (local.get $x)))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (local.get $x))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s0))
                (local.set $s1 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb1))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb1)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb1))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb1)))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s1))
                (local.set $s2 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb2))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb2)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb2))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb2)))))))
                ;; a store orders the next token's loads after this token's
                ;; arithmetic (engines hoist loads and run out of registers
                ;; otherwise); the result overwrites it
                (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))) (local.get $s2))
                (local.set $s3 (i32x4.add
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w0) (v128.load (i32.add (local.get $x) (local.get $tb3))))
                    (i32x4.dot_i16x8_s (local.get $w1) (v128.load offset=16 (i32.add (local.get $x) (local.get $tb3)))))
                  (i32x4.add
                    (i32x4.dot_i16x8_s (local.get $w2) (v128.load offset=32 (i32.add (local.get $x) (local.get $tb3))))
                    (i32x4.dot_i16x8_s (local.get $w3) (v128.load offset=48 (i32.add (local.get $x) (local.get $tb3)))))))
                ;; lane k of sum = the whole integer dot product with token t+k
                (local.set $s0 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
                (local.set $s2 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
                (local.set $s0 (i32x4.add
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s2))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
                ;; the nibbles were taken without their offset of 8: take 8·Σx off
                (local.set $s0 (i32x4.sub (local.get $s0) (i32x4.shl (v128.load (i32.add (local.get $xs) (local.get $sp))) (i32.const 3))))
                (local.set $h (i32.load16_u (local.get $p)))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul
                    (f32x4.convert_i32x4_s (local.get $s0))
                    (f32x4.mul
                      ;; the row's F16 scale, widened exactly (it is finite)
                      (f32x4.splat (f32.copysign
                        (f32.mul
                          (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
                          (f32.const 0x1p112))
                        (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16)))))
                      (v128.load (i32.add (local.get $xd) (local.get $sp)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 18)))
                (local.set $x (i32.add (local.get $x) (i32.const 64)))
                (local.set $sp (i32.add (local.get $sp) (i32.shl (local.get $tstride) (i32.const 2))))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $block)))
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $t) (local.get $rows)) (local.get $r)) (i32.const 2))))
            (v128.store32_lane 0 (local.get $o) (local.get $acc))
            (if (i32.ge_s (local.get $left) (i32.const 1))
              (then (v128.store32_lane 1 (i32.add (local.get $o) (local.get $ob)) (local.get $acc))))
            (if (i32.ge_s (local.get $left) (i32.const 2))
              (then (v128.store32_lane 2 (i32.add (local.get $o) (i32.shl (local.get $ob) (i32.const 1))) (local.get $acc))))
            (if (i32.ge_s (local.get $left) (i32.const 3))
              (then (v128.store32_lane 3 (i32.add (local.get $o) (i32.mul (local.get $ob) (i32.const 3))) (local.get $acc))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $row)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br $tokens4))))
)
