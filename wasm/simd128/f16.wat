;; F16 weights × F32 activations, with the same bits as the Go reference
;; (tensor.Dot): each half is widened exactly to f32, and every output sums
;; its products in element order. Lanes are four rows, as in f32.wat.
(module
  (import "go" "mem" (memory 0))

  ;; half4 widens four halves (zero-extended into i32 lanes) to f32 exactly:
  ;; the exponent and mantissa shifted into place and scaled by 2^112 give
  ;; normals and subnormals alike; infinities and NaNs get their exponent.
  ;; The tile loop below writes the same steps out (engines do not inline
  ;; calls between wasm functions reliably); the one-row tail calls it.
  (func $half4 (param $h v128) (result v128)
    (local $mag v128)
    (local.set $mag (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
    (v128.or
      (v128.or
        (f32x4.mul (i32x4.shl (local.get $mag) (i32.const 13)) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
        (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
      (v128.and
        (i32x4.ge_u (local.get $mag) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
        (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))

  (func $half (param $h i32) (result f32)
    (f32x4.extract_lane 0 (call $half4 (i32x4.splat (local.get $h)))))

  ;; matvec: out[r] = sum over c of w[r][c] * x[c] for F16 rows of stride bytes.
  (func (export "matvec")
        (param $w i32) (param $stride i32) (param $x i32) (param $out i32)
        (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $p i32) (local $xp i32) (local $acc v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $s f32) (local $h v128) (local $mag v128)
    (if (i32.eqz (i32.and (local.get $cols) (i32.const 3)))
      (then
        (block $rows4done
          (loop $rows4
            (br_if $rows4done (i32.gt_s (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $stride))))
            (local.set $xp (local.get $x))
            (local.set $c (i32.const 0))
            (block $colsdone
              (loop $cols
                (br_if $colsdone (i32.ge_s (local.get $c) (local.get $cols)))
                (local.set $h (v128.load16x4_u (local.get $p)))
                (local.set $mag (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
                (local.set $a0 (v128.or
                  (v128.or
                    (f32x4.mul (i32x4.shl (local.get $mag) (i32.const 13)) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
                    (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.and
                    (i32x4.ge_u (local.get $mag) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
                    (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
                (local.set $h (v128.load16x4_u (i32.add (local.get $p) (local.get $stride))))
                (local.set $mag (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
                (local.set $a1 (v128.or
                  (v128.or
                    (f32x4.mul (i32x4.shl (local.get $mag) (i32.const 13)) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
                    (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.and
                    (i32x4.ge_u (local.get $mag) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
                    (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
                (local.set $h (v128.load16x4_u (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1)))))
                (local.set $mag (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
                (local.set $a2 (v128.or
                  (v128.or
                    (f32x4.mul (i32x4.shl (local.get $mag) (i32.const 13)) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
                    (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.and
                    (i32x4.ge_u (local.get $mag) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
                    (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
                (local.set $h (v128.load16x4_u (i32.add (local.get $p) (i32.mul (local.get $stride) (i32.const 3)))))
                (local.set $mag (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)))
                (local.set $a3 (v128.or
                  (v128.or
                    (f32x4.mul (i32x4.shl (local.get $mag) (i32.const 13)) (v128.const i32x4 0x77800000 0x77800000 0x77800000 0x77800000))
                    (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16)))
                  (v128.and
                    (i32x4.ge_u (local.get $mag) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00))
                    (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2))
                  (v128.load32_splat (local.get $xp)))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2))
                  (v128.load32_splat offset=4 (local.get $xp)))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3))
                  (v128.load32_splat offset=8 (local.get $xp)))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))
                  (v128.load32_splat offset=12 (local.get $xp)))))
                (local.set $p (i32.add (local.get $p) (i32.const 8)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $cols)))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $acc))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $rows4)))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $stride))))
        (local.set $c (i32.const 0))
        (block $cdone
          (loop $col
            (br_if $cdone (i32.ge_s (local.get $c) (local.get $cols)))
            (local.set $s (f32.add (local.get $s) (f32.mul
              (call $half (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 1)))))
              (f32.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
