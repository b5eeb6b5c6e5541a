;; Q8_0 and Q4_0 weights × activations quantized to 8 bits in blocks of 32
;; (as llama.cpp's Q8_0), the activations kept widened to int16 (xq) with one
;; f32 scale per block (xd), so that only the weights need widening in the
;; loop. Each block's integer dot product is exact in int32; scaled by
;; d_w·d_x it is added to the row's f32 sum, block by block. wasmsimd's Go
;; kernels model these steps exactly.
;;
;; The matrix-vector products take four rows per pass, a quarter of the
;; matrix apart, so that each block of activations is loaded once for four
;; rows, the four rows' scales are widened and applied in one vector (lane k
;; of the accumulator is row r+k·quarter), and memory is read in four long
;; runs, as hardware prefetchers like.
;; The block loop is written out in each function: engines do not inline
;; calls between wasm functions reliably, and a call per block costs more
;; than the block's arithmetic.
(module
  (import "go" "mem" (memory 0))

  ;; matvec_q8_0: out[r] = row r of Q8_0 weights (rows rowBytes apart,
  ;; blocks of 34 bytes: f16 d, 32 int8) · the quantized activations.
  (func (export "matvec_q8_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $quarter i32) (local $last i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32)
    (local $acc v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $q v128) (local $q2 v128) (local $lo v128) (local $hi v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $sum v128)
    (local.set $quarter (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)))
    (local.set $last (i32.sub (local.get $rows) (i32.const 1)))
    (block $done
      (loop $group
        (br_if $done (i32.ge_s (local.get $r) (local.get $quarter)))
        ;; rows r, r+quarter, r+2·quarter, r+3·quarter: four long runs of
        ;; memory, which hardware prefetchers follow; past the last row the
        ;; last row again
        (local.set $r1 (select (local.get $last) (i32.add (local.get $r) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r) (local.get $quarter)) (local.get $last))))
        (local.set $r2 (select (local.get $last) (i32.add (local.get $r1) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r1) (local.get $quarter)) (local.get $last))))
        (local.set $r3 (select (local.get $last) (i32.add (local.get $r2) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r2) (local.get $quarter)) (local.get $last))))
        (local.set $d1 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r1) (local.get $r))))
        (local.set $d2 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r2) (local.get $r))))
        (local.set $d3 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r3) (local.get $r))))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $x (local.get $xq))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $x0 (v128.load (local.get $x)))
            (local.set $x1 (v128.load offset=16 (local.get $x)))
            (local.set $x2 (v128.load offset=32 (local.get $x)))
            (local.set $x3 (v128.load offset=48 (local.get $x)))
            (local.set $q (v128.load offset=2 (local.get $p)))
            (local.set $q2 (v128.load offset=18 (local.get $p)))
            (local.set $s0 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)) (local.get $x0))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q2)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q2)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s0))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d1))))
            (local.set $q2 (v128.load offset=18 (i32.add (local.get $p) (local.get $d1))))
            (local.set $s1 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)) (local.get $x0))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q2)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q2)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s1))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d2))))
            (local.set $q2 (v128.load offset=18 (i32.add (local.get $p) (local.get $d2))))
            (local.set $s2 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)) (local.get $x0))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q2)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q2)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s2))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d3))))
            (local.set $q2 (v128.load offset=18 (i32.add (local.get $p) (local.get $d3))))
            (local.set $s3 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q)) (local.get $x0))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $q2)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $q2)) (local.get $x3)))))
            ;; lane k of sum = the whole integer dot product of row r+k
            (local.set $s0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
            (local.set $s2 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
            (local.set $sum (i32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s2))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
            ;; the four rows' F16 scales, widened exactly (they are finite),
            ;; times the activations' scale
            (local.set $q (v128.load16_lane 0 (local.get $p) (v128.const i32x4 0 0 0 0)))
            (local.set $q (v128.load16_lane 2 (i32.add (local.get $p) (local.get $d1)) (local.get $q)))
            (local.set $q (v128.load16_lane 4 (i32.add (local.get $p) (local.get $d2)) (local.get $q)))
            (local.set $q (v128.load16_lane 6 (i32.add (local.get $p) (local.get $d3)) (local.get $q)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul
                (f32x4.convert_i32x4_s (local.get $sum))
                (f32x4.mul
                  (v128.or
                    (f32x4.mul
                      (i32x4.shl (v128.and (local.get $q) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13))
                      (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
                    (i32x4.shl (v128.and (local.get $q) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.load32_splat (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 34)))
            (local.set $x (i32.add (local.get $x) (i32.const 64)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        ;; a row repeated past the end stores its own value again
        (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 1 (i32.add (local.get $out) (i32.shl (local.get $r1) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 2 (i32.add (local.get $out) (i32.shl (local.get $r2) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 3 (i32.add (local.get $out) (i32.shl (local.get $r3) (i32.const 2))) (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $group))))

  ;; matvec_q4_0: out[r] = row r of Q4_0 weights (blocks of 18 bytes: f16 d,
  ;; 16 bytes of two 4-bit elements each, element j in the low nibble of
  ;; byte j, element j+16 in its high nibble, each plus 8) · the quantized activations.
  (func (export "matvec_q4_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $xs i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $quarter i32) (local $last i32)
    (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $d1 i32) (local $d2 i32) (local $d3 i32)
    (local $acc v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $q v128) (local $q2 v128) (local $lo v128) (local $hi v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $sum v128)
    (local.set $quarter (i32.shr_u (i32.add (local.get $rows) (i32.const 3)) (i32.const 2)))
    (local.set $last (i32.sub (local.get $rows) (i32.const 1)))
    (block $done
      (loop $group
        (br_if $done (i32.ge_s (local.get $r) (local.get $quarter)))
        ;; rows r, r+quarter, r+2·quarter, r+3·quarter: four long runs of
        ;; memory, which hardware prefetchers follow; past the last row the
        ;; last row again
        (local.set $r1 (select (local.get $last) (i32.add (local.get $r) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r) (local.get $quarter)) (local.get $last))))
        (local.set $r2 (select (local.get $last) (i32.add (local.get $r1) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r1) (local.get $quarter)) (local.get $last))))
        (local.set $r3 (select (local.get $last) (i32.add (local.get $r2) (local.get $quarter))
          (i32.gt_s (i32.add (local.get $r2) (local.get $quarter)) (local.get $last))))
        (local.set $d1 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r1) (local.get $r))))
        (local.set $d2 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r2) (local.get $r))))
        (local.set $d3 (i32.mul (local.get $rowBytes) (i32.sub (local.get $r3) (local.get $r))))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $x (local.get $xq))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $x0 (v128.load (local.get $x)))
            (local.set $x1 (v128.load offset=16 (local.get $x)))
            (local.set $x2 (v128.load offset=32 (local.get $x)))
            (local.set $x3 (v128.load offset=48 (local.get $x)))
            (local.set $q (v128.load offset=2 (local.get $p)))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $q)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $q)))
            (local.set $s0 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (v128.and (local.get $lo) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x0))
                (i32x4.dot_i16x8_s (v128.and (local.get $hi) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $lo) (i32.const 4)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $hi) (i32.const 4)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s0))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d1))))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $q)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $q)))
            (local.set $s1 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (v128.and (local.get $lo) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x0))
                (i32x4.dot_i16x8_s (v128.and (local.get $hi) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $lo) (i32.const 4)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $hi) (i32.const 4)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s1))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d2))))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $q)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $q)))
            (local.set $s2 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (v128.and (local.get $lo) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x0))
                (i32x4.dot_i16x8_s (v128.and (local.get $hi) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $lo) (i32.const 4)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $hi) (i32.const 4)) (local.get $x3)))))
            ;; a store orders the next row's loads after this row's arithmetic
            ;; (engines hoist loads and run out of registers otherwise); out[r]
            ;; is overwritten with the result
            (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s2))
            (local.set $q (v128.load offset=2 (i32.add (local.get $p) (local.get $d3))))
            (local.set $lo (i16x8.extend_low_i8x16_u (local.get $q)))
            (local.set $hi (i16x8.extend_high_i8x16_u (local.get $q)))
            (local.set $s3 (i32x4.add
              (i32x4.add
                (i32x4.dot_i16x8_s (v128.and (local.get $lo) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x0))
                (i32x4.dot_i16x8_s (v128.and (local.get $hi) (v128.const i16x8 15 15 15 15 15 15 15 15)) (local.get $x1)))
              (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $lo) (i32.const 4)) (local.get $x2))
                (i32x4.dot_i16x8_s (i16x8.shr_u (local.get $hi) (i32.const 4)) (local.get $x3)))))
            ;; lane k of sum = the whole integer dot product of row r+k
            (local.set $s0 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s0) (local.get $s1))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s0) (local.get $s1))))
            (local.set $s2 (i32x4.add
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $s2) (local.get $s3))
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $s2) (local.get $s3))))
            (local.set $sum (i32x4.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $s0) (local.get $s2))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $s0) (local.get $s2))))
            ;; the nibbles were taken without their offset of 8: take 8·Σx off
            (local.set $sum (i32x4.sub (local.get $sum)
              (i32x4.splat (i32.shl (i32.load (i32.add (local.get $xs) (i32.shl (local.get $b) (i32.const 2)))) (i32.const 3)))))
            ;; the four rows' F16 scales, widened exactly (they are finite),
            ;; times the activations' scale
            (local.set $q (v128.load16_lane 0 (local.get $p) (v128.const i32x4 0 0 0 0)))
            (local.set $q (v128.load16_lane 2 (i32.add (local.get $p) (local.get $d1)) (local.get $q)))
            (local.set $q (v128.load16_lane 4 (i32.add (local.get $p) (local.get $d2)) (local.get $q)))
            (local.set $q (v128.load16_lane 6 (i32.add (local.get $p) (local.get $d3)) (local.get $q)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul
                (f32x4.convert_i32x4_s (local.get $sum))
                (f32x4.mul
                  (v128.or
                    (f32x4.mul
                      (i32x4.shl (v128.and (local.get $q) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13))
                      (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
                    (i32x4.shl (v128.and (local.get $q) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.load32_splat (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 18)))
            (local.set $x (i32.add (local.get $x) (i32.const 64)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        ;; a row repeated past the end stores its own value again
        (v128.store32_lane 0 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 1 (i32.add (local.get $out) (i32.shl (local.get $r1) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 2 (i32.add (local.get $out) (i32.shl (local.get $r2) (i32.const 2))) (local.get $acc))
        (v128.store32_lane 3 (i32.add (local.get $out) (i32.shl (local.get $r3) (i32.const 2))) (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $group))))

  ;; quantize_q8: x (blocks × 32 f32) to int16 values xq, each block's scale
  ;; xd[b·sstride] (the f32 value of its F16 rounding, what a Q8_0 block
  ;; would store) and the sum of its values xs[b·sstride] (for Q4_0's offset),
  ;; as llama.cpp's quantize_row_q8_0_ref: d = amax/127, q = round(x·(1/d)),
  ;; halves rounded away from zero.
  (func (export "quantize_q8")
        (param $x i32) (param $xq i32) (param $xd i32) (param $xs i32) (param $blocks i32) (param $sstride i32)
    (local $b i32) (local $k i32) (local $m v128) (local $d f32) (local $bits i32)
    (local $id v128) (local $y v128) (local $t v128) (local $lo v128) (local $qs v128)
    (block $done
      (loop $block
        (br_if $done (i32.ge_s (local.get $b) (local.get $blocks)))
        (local.set $m (f32x4.max
          (f32x4.max
            (f32x4.max (f32x4.abs (v128.load (local.get $x))) (f32x4.abs (v128.load offset=16 (local.get $x))))
            (f32x4.max (f32x4.abs (v128.load offset=32 (local.get $x))) (f32x4.abs (v128.load offset=48 (local.get $x)))))
          (f32x4.max
            (f32x4.max (f32x4.abs (v128.load offset=64 (local.get $x))) (f32x4.abs (v128.load offset=80 (local.get $x))))
            (f32x4.max (f32x4.abs (v128.load offset=96 (local.get $x))) (f32x4.abs (v128.load offset=112 (local.get $x)))))))
        (local.set $m (f32x4.max (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
        (local.set $m (f32x4.max (local.get $m) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $m) (local.get $m))))
        (local.set $d (f32.div (f32x4.extract_lane 0 (local.get $m)) (f32.const 127)))
        (local.set $id (f32x4.splat (select
          (f32.div (f32.const 1) (local.get $d))
          (f32.const 0)
          (f32.ne (local.get $d) (f32.const 0)))))
        ;; d rounded to F16, ties to even: infinity past the largest half,
        ;; units of 2^-24 below the normal halves, else 10 mantissa bits
        (local.set $bits (i32.reinterpret_f32 (local.get $d)))
        (f32.store (i32.add (local.get $xd) (i32.shl (i32.mul (local.get $b) (local.get $sstride)) (i32.const 2)))
          (if (result f32) (f32.ge (local.get $d) (f32.const 65520))
            (then (f32.const inf))
            (else
              (if (result f32) (f32.ge (local.get $d) (f32.const 0x1p-14))
                (then (f32.reinterpret_i32 (i32.and
                  (i32.add (local.get $bits) (i32.add (i32.const 0xfff) (i32.and (i32.shr_u (local.get $bits) (i32.const 13)) (i32.const 1))))
                  (i32.const 0xffffe000))))
                (else (f32.mul (f32.nearest (f32.mul (local.get $d) (f32.const 0x1p24))) (f32.const 0x1p-24)))))))
        ;; eight values at a time: round x·id half away from zero (trunc,
        ;; then one step outwards where the dropped fraction is at least 1/2)
        (local.set $qs (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.const 0))
        (loop $eight
          (local.set $y (f32x4.mul (v128.load offset=0 (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 1)))) (local.get $id)))
          (local.set $t (f32x4.trunc (local.get $y)))
          (local.set $lo (i32x4.trunc_sat_f32x4_s (f32x4.add (local.get $t)
            (v128.and
              (f32x4.ge (f32x4.abs (f32x4.sub (local.get $y) (local.get $t))) (v128.const f32x4 0.5 0.5 0.5 0.5))
              (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)) (v128.const f32x4 1 1 1 1))))))
          (local.set $y (f32x4.mul (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $k) (i32.const 1)))) (local.get $id)))
          (local.set $t (f32x4.trunc (local.get $y)))
          (local.set $t (i32x4.trunc_sat_f32x4_s (f32x4.add (local.get $t)
            (v128.and
              (f32x4.ge (f32x4.abs (f32x4.sub (local.get $y) (local.get $t))) (v128.const f32x4 0.5 0.5 0.5 0.5))
              (v128.or (v128.and (local.get $y) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)) (v128.const f32x4 1 1 1 1))))))
          (local.set $lo (i16x8.narrow_i32x4_s (local.get $lo) (local.get $t)))
          (v128.store (i32.add (local.get $xq) (local.get $k)) (local.get $lo))
          (local.set $qs (i16x8.add (local.get $qs) (local.get $lo)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br_if $eight (i32.lt_u (local.get $k) (i32.const 64))))
        (local.set $qs (i32x4.extadd_pairwise_i16x8_s (local.get $qs)))
        (local.set $qs (i32x4.add (local.get $qs) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $qs) (local.get $qs))))
        (local.set $qs (i32x4.add (local.get $qs) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $qs) (local.get $qs))))
        (i32.store (i32.add (local.get $xs) (i32.shl (i32.mul (local.get $b) (local.get $sstride)) (i32.const 2)))
          (i32x4.extract_lane 0 (local.get $qs)))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (local.set $xq (i32.add (local.get $xq) (i32.const 64)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $block))))
)
