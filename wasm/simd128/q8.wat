;; Q8_0 and Q4_0 weights × activations quantized to 8 bits in blocks of 32
;; (as llama.cpp's Q8_0), the activations kept widened to int16 (xq) with one
;; f32 scale per block (xd), so that only the weights need widening in the
;; loop. Products are exact in int32; each block's four int32 lanes are
;; scaled by d_w·d_x and added to four f32 lanes, which are summed in lane
;; order at the end of the row. wasmsimd's Go kernels model these steps
;; exactly. Lane k of a block holds the elements j with (j/2)%4 == k.
;; The block loop is written out in each function: engines do not inline
;; calls between wasm functions reliably, and a call per block costs more
;; than the block's arithmetic.
(module
  (import "go" "mem" (memory 0))

  ;; matvec_q8_0: out[r] = row r of Q8_0 weights (rows rowBytes apart, blocks
  ;; of 34 bytes: f16 d, 32 int8) · the quantized activations.
  (func (export "matvec_q8_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $acc v128)
    (local $q v128) (local $w0 v128) (local $w1 v128) (local $h i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $x (local.get $xq))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $w0 (v128.load offset=2 (local.get $p)))
            (local.set $w1 (v128.load offset=18 (local.get $p)))
            (local.set $h (i32.load16_u (local.get $p)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i32x4.add
                    (i32x4.add
                      (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w0)) (v128.load (local.get $x)))
                      (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w0)) (v128.load offset=16 (local.get $x))))
                    (i32x4.add
                      (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w1)) (v128.load offset=32 (local.get $x)))
                      (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w1)) (v128.load offset=48 (local.get $x))))))
                (f32x4.splat (f32.mul
                  ;; the F16 scale, widened exactly (it is finite)
                  (f32.copysign
                    (f32.mul
                      (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
                      (f32.const 0x1p112))
                    (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16))))
                  (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 34)))
            (local.set $x (i32.add (local.get $x) (i32.const 64)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32x4.extract_lane 2 (local.get $acc)))
            (f32x4.extract_lane 3 (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; matvec_q4_0: the same for Q4_0 weights (blocks of 18 bytes: f16 d, 16
  ;; bytes of two 4-bit elements each).
  (func (export "matvec_q4_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $acc v128)
    (local $q v128) (local $w0 v128) (local $w1 v128) (local $h i32)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $x (local.get $xq))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            ;; low nibbles are elements 0..15, high nibbles 16..31, each plus 8
            (local.set $q (v128.load offset=2 (local.get $p)))
            (local.set $w0 (i8x16.sub (v128.and (local.get $q) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
              (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
            (local.set $w1 (i8x16.sub (i8x16.shr_u (local.get $q) (i32.const 4))
              (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
            (local.set $h (i32.load16_u (local.get $p)))
            (local.set $acc (f32x4.add (local.get $acc)
              (f32x4.mul
                (f32x4.convert_i32x4_s
                  (i32x4.add
                    (i32x4.add
                      (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w0)) (v128.load (local.get $x)))
                      (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w0)) (v128.load offset=16 (local.get $x))))
                    (i32x4.add
                      (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w1)) (v128.load offset=32 (local.get $x)))
                      (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w1)) (v128.load offset=48 (local.get $x))))))
                (f32x4.splat (f32.mul
                  ;; the F16 scale, widened exactly (it is finite)
                  (f32.copysign
                    (f32.mul
                      (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
                      (f32.const 0x1p112))
                    (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16))))
                  (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 18)))
            (local.set $x (i32.add (local.get $x) (i32.const 64)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
              (f32x4.extract_lane 2 (local.get $acc)))
            (f32x4.extract_lane 3 (local.get $acc))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
