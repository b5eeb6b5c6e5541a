;; Q8_0 and Q4_0 weights × activations quantized to 8 bits in blocks of 32
;; (as llama.cpp's Q8_0: xq holds the int8 values, xd one f32 scale per
;; block). Products are exact in int32; each block's four int32 lanes are
;; scaled by d_w·d_x and added to four f32 lanes, which are summed at the end
;; of the row. wasmsimd's Go kernels model these steps exactly.
(module
  (import "go" "mem" (memory 0))

  ;; half widens an F16 scale (assumed finite) exactly to f32.
  (func $half (param $h i32) (result f32)
    (f32.copysign
      (f32.mul
        (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
        (f32.const 0x1p112))
      (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16)))))

  ;; dot32 is the int32 lanes of the products of 32 int8 weights (w0: 0..15,
  ;; w1: 16..31) with the 32 activations at $x: lane k holds the elements j
  ;; with (j/2)%4 == k.
  (func $dot32 (param $w0 v128) (param $w1 v128) (param $x i32) (result v128)
    (local $x0 v128) (local $x1 v128)
    (local.set $x0 (v128.load (local.get $x)))
    (local.set $x1 (v128.load offset=16 (local.get $x)))
    (i32x4.add
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w0)) (i16x8.extend_low_i8x16_s (local.get $x0)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w0)) (i16x8.extend_high_i8x16_s (local.get $x0))))
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w1)) (i16x8.extend_low_i8x16_s (local.get $x1)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w1)) (i16x8.extend_high_i8x16_s (local.get $x1))))))

  ;; hsum adds the four lanes in order.
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
        (f32x4.extract_lane 2 (local.get $v)))
      (f32x4.extract_lane 3 (local.get $v))))

  ;; scaled adds a block's int32 lanes times d_w·d_x to the accumulator.
  (func $scaled (param $acc v128) (param $isum v128) (param $dw i32) (param $xd i32) (result v128)
    (f32x4.add (local.get $acc)
      (f32x4.mul (f32x4.convert_i32x4_s (local.get $isum))
        (f32x4.splat (f32.mul (call $half (local.get $dw)) (f32.load (local.get $xd)))))))

  ;; matvec_q8_0: out[r] = row r of Q8_0 weights (rowBytes apart, blocks
  ;; blocks of 34 bytes: f16 d, 32 int8) · the quantized activations.
  (func (export "matvec_q8_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $acc v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $acc (call $scaled (local.get $acc)
              (call $dot32 (v128.load offset=2 (local.get $p)) (v128.load offset=18 (local.get $p))
                (i32.add (local.get $xq) (i32.shl (local.get $b) (i32.const 5))))
              (i32.load16_u (local.get $p))
              (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 34)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $hsum (local.get $acc)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; matvec_q4_0: the same for Q4_0 weights (blocks of 18 bytes: f16 d, 16
  ;; bytes whose low nibbles are elements 0..15 and high nibbles 16..31, each
  ;; stored plus 8).
  (func (export "matvec_q4_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $out i32)
        (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $acc v128) (local $q v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $q (v128.load offset=2 (local.get $p)))
            (local.set $acc (call $scaled (local.get $acc)
              (call $dot32
                (i8x16.sub (v128.and (local.get $q) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))
                (i8x16.sub (i8x16.shr_u (local.get $q) (i32.const 4)) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))
                (i32.add (local.get $xq) (i32.shl (local.get $b) (i32.const 5))))
              (i32.load16_u (local.get $p))
              (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))
            (local.set $p (i32.add (local.get $p) (i32.const 18)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (call $hsum (local.get $acc)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
