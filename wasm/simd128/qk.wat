;; The weight types of llama.cpp's K-quant mixes (Q4_K_M, Q5_K_M, ...): Q4_K,
;; Q5_K and Q6_K, and Q5_0, which the mixes use for rows that are not a
;; multiple of 256 long (SmolLM2's 576-wide projections).
;;
;; Q4_K, Q5_K and Q6_K weights multiply activations quantized to 8 bits per
;; super-block of 256 (as llama.cpp's Q8_K), the activations kept widened to
;; int16 (xq, 512 bytes a super-block) with one f32 scale per super-block
;; (xd) and, for the mins of Q4_K and Q5_K, the sum of each 32 quantized
;; values as int16 (xs, 16 bytes a super-block).
;;
;; Each super-block's integer sums are exact, so their lane order does not
;; matter; they are combined in f32 one super-block at a time, in block
;; order, with the operations of wasm/cpu/simd's portable dotQ4_KGo,
;; dotQ5_KGo and dotQ6_KGo, which these kernels therefore match bit for bit.
;; Q5_0 weights multiply activations quantized per block of 32 (Q8_0, its
;; scale rounded to F16), combined as dotQ5_0Go does, one block at a time.
;; Block scales are assumed finite (the F16 widening below is exact for
;; finite values only).
;;
;; The sub-blocks are written out rather than looped over: lane indices must
;; be immediates, and a loop would need variable shifts, which engines
;; emulate at several instructions each. The small helper functions cost
;; nothing: scripts/build-wasm has binaryen inline them, as engines do not
;; inline calls between wasm functions reliably.
(module
  (import "go" "mem" (memory 0))

  ;; hsum: the sum of the four i32 lanes of v.
  (func $hsum (param $v v128) (result i32)
    (local.set $v (i32x4.add (local.get $v)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
    (i32x4.extract_lane 0 (i32x4.add (local.get $v)
      (i8x16.shuffle 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 (local.get $v) (local.get $v)))))

  ;; f16: the finite binary16 at p as f32, exactly.
  (func $f16 (param $p i32) (result f32)
    (local $h i32)
    (local.set $h (i32.load16_u (local.get $p)))
    (f32.copysign
      (f32.mul
        (f32.reinterpret_i32 (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)))
        (f32.const 0x1p112))
      (f32.reinterpret_i32 (i32.shl (local.get $h) (i32.const 16)))))

  ;; scalesK4: the eight 6-bit scales (bytes 0..7) and mins (bytes 8..15) of
  ;; a Q4_K or Q5_K super-block from its 12 scale bytes at p (the load reads
  ;; four bytes past them, which the block holds). For j < 4 they are the low
  ;; six bits of bytes j and j+4; for j ≥ 4 the nibbles of byte j+4 with the
  ;; top two bits of bytes j−4 and j.
  (func $scalesK4 (param $p i32) (result v128)
    (local $v v128)
    (local.set $v (v128.load (local.get $p)))
    (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
      (v128.and (local.get $v) (v128.const i8x16 63 63 63 63 63 63 63 63 63 63 63 63 63 63 63 63))
      (v128.or
        (i8x16.shuffle 8 9 10 11 24 25 26 27 0 0 0 0 0 0 0 0
          (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
          (i8x16.shr_u (local.get $v) (i32.const 4)))
        (i8x16.shl (i8x16.shr_u (local.get $v) (i32.const 6)) (i32.const 4)))))

  ;; dot32: Σ q·x over 32 elements as four i32 lanes, q the unsigned bytes
  ;; of a and b (values below 128), x 32 int16 at x.
  (func $dot32 (param $a v128) (param $b v128) (param $x i32) (result v128)
    (i32x4.add
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $a)) (v128.load (local.get $x)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $a)) (v128.load offset=16 (local.get $x))))
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $b)) (v128.load offset=32 (local.get $x)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $b)) (v128.load offset=48 (local.get $x))))))

  ;; sub32: acc + sc·Σ q·x over a sub-block of 32 (q in the bytes of a and b).
  (func $sub32 (param $acc v128) (param $a v128) (param $b v128) (param $x i32) (param $sc v128) (result v128)
    (i32x4.add (local.get $acc) (i32x4.mul (call $dot32 (local.get $a) (local.get $b) (local.get $x)) (local.get $sc))))

  ;; lo4, hi4: the low and high nibbles of each byte.
  (func $lo4 (param $v v128) (result v128) (v128.and (local.get $v) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)))
  (func $hi4 (param $v v128) (result v128) (i8x16.shr_u (local.get $v) (i32.const 4)))

  ;; bit4: 16 in the bytes of h that have bit m set, else 0 (Q5_K's fifth bit).
  (func $bit4 (param $h v128) (param $m v128) (result v128)
    (v128.andnot (v128.const i8x16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16)
      (i8x16.eq (v128.and (local.get $h) (local.get $m)) (v128.const i32x4 0 0 0 0))))

  ;; kSum: sum + d·dx·sumi − dmin·dx·summ for a Q4_K or Q5_K super-block at p
  ;; (d and dmin its first two halves), as the Go models round it.
  (func $kSum (param $sum f32) (param $p i32) (param $dx f32) (param $acc v128) (param $mins v128) (result f32)
    (f32.add (local.get $sum)
      (f32.sub
        (f32.mul (f32.mul (call $f16 (local.get $p)) (local.get $dx))
          (f32.convert_i32_s (call $hsum (local.get $acc))))
        (f32.mul (f32.mul (call $f16 (i32.add (local.get $p) (i32.const 2))) (local.get $dx))
          (f32.convert_i32_s (call $hsum (local.get $mins)))))))

  ;; matvec_q4_k: out[r] = row r of Q4_K weights (rows rowBytes apart,
  ;; super-blocks of 144 bytes: f16 d, f16 dmin, scales[12], qs[128]) · the
  ;; quantized activations. qs holds four chunks of 32 bytes, each two
  ;; sub-blocks of 32: the low nibbles, then the high ones.
  (func (export "matvec_q4_k")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $xs i32)
        (param $out i32) (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sum f32)
    (local $scm v128) (local $sc v128) (local $lo v128) (local $hi v128) (local $acc v128)
    (local $q0 v128) (local $q1 v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $sum (f32.const 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $x (i32.add (local.get $xq) (i32.shl (local.get $b) (i32.const 9))))
            (local.set $scm (call $scalesK4 (i32.add (local.get $p) (i32.const 4))))
            (local.set $sc (i16x8.extend_low_i8x16_u (local.get $scm)))
            (local.set $lo (i32x4.extend_low_i16x8_u (local.get $sc)))
            (local.set $hi (i32x4.extend_high_i16x8_u (local.get $sc)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            ;; sub-blocks 0 and 1
            (local.set $q0 (v128.load offset=16 (local.get $p)))
            (local.set $q1 (v128.load offset=32 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $lo4 (local.get $q0))
              (call $lo4 (local.get $q1))
              (local.get $x) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $lo) (local.get $lo))))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $hi4 (local.get $q0))
              (call $hi4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 64)) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
            ;; sub-blocks 2 and 3
            (local.set $q0 (v128.load offset=48 (local.get $p)))
            (local.set $q1 (v128.load offset=64 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $lo4 (local.get $q0))
              (call $lo4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 128)) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $lo) (local.get $lo))))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $hi4 (local.get $q0))
              (call $hi4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 192)) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $lo) (local.get $lo))))
            ;; sub-blocks 4 and 5
            (local.set $q0 (v128.load offset=80 (local.get $p)))
            (local.set $q1 (v128.load offset=96 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $lo4 (local.get $q0))
              (call $lo4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 256)) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $hi) (local.get $hi))))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $hi4 (local.get $q0))
              (call $hi4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 320)) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $hi) (local.get $hi))))
            ;; sub-blocks 6 and 7
            (local.set $q0 (v128.load offset=112 (local.get $p)))
            (local.set $q1 (v128.load offset=128 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $lo4 (local.get $q0))
              (call $lo4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 384)) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $hi) (local.get $hi))))
            (local.set $acc (call $sub32 (local.get $acc)
              (call $hi4 (local.get $q0))
              (call $hi4 (local.get $q1))
              (i32.add (local.get $x) (i32.const 448)) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $hi) (local.get $hi))))
            (local.set $sum (call $kSum (local.get $sum) (local.get $p)
              (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2))))
              (local.get $acc)
              ;; Σ m·(Σx) over the eight sub-blocks
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $scm))
                (v128.load (i32.add (local.get $xs) (i32.shl (local.get $b) (i32.const 4)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 144)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; matvec_q5_k: the same for Q5_K weights (super-blocks of 176 bytes:
  ;; f16 d, f16 dmin, scales[12], qh[32], qs[128]); bit s of qh[l] is the
  ;; fifth bit of element l of sub-block s.
  (func (export "matvec_q5_k")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32) (param $xs i32)
        (param $out i32) (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sum f32)
    (local $scm v128) (local $sc v128) (local $lo v128) (local $hi v128) (local $acc v128)
    (local $q0 v128) (local $q1 v128) (local $h0 v128) (local $h1 v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $sum (f32.const 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $x (i32.add (local.get $xq) (i32.shl (local.get $b) (i32.const 9))))
            (local.set $scm (call $scalesK4 (i32.add (local.get $p) (i32.const 4))))
            (local.set $sc (i16x8.extend_low_i8x16_u (local.get $scm)))
            (local.set $lo (i32x4.extend_low_i16x8_u (local.get $sc)))
            (local.set $hi (i32x4.extend_high_i16x8_u (local.get $sc)))
            (local.set $h0 (v128.load offset=16 (local.get $p)))
            (local.set $h1 (v128.load offset=32 (local.get $p)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            ;; sub-blocks 0 and 1
            (local.set $q0 (v128.load offset=48 (local.get $p)))
            (local.set $q1 (v128.load offset=64 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $lo4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
              (v128.or (call $lo4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)))
              (local.get $x) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $lo) (local.get $lo))))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $hi4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)))
              (v128.or (call $hi4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2)))
              (i32.add (local.get $x) (i32.const 64)) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $lo) (local.get $lo))))
            ;; sub-blocks 2 and 3
            (local.set $q0 (v128.load offset=80 (local.get $p)))
            (local.set $q1 (v128.load offset=96 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $lo4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4)))
              (v128.or (call $lo4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4 4)))
              (i32.add (local.get $x) (i32.const 128)) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $lo) (local.get $lo))))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $hi4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
              (v128.or (call $hi4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
              (i32.add (local.get $x) (i32.const 192)) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $lo) (local.get $lo))))
            ;; sub-blocks 4 and 5
            (local.set $q0 (v128.load offset=112 (local.get $p)))
            (local.set $q1 (v128.load offset=128 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $lo4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16)))
              (v128.or (call $lo4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16)))
              (i32.add (local.get $x) (i32.const 256)) (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $hi) (local.get $hi))))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $hi4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
              (v128.or (call $hi4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))
              (i32.add (local.get $x) (i32.const 320)) (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $hi) (local.get $hi))))
            ;; sub-blocks 6 and 7
            (local.set $q0 (v128.load offset=144 (local.get $p)))
            (local.set $q1 (v128.load offset=160 (local.get $p)))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $lo4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 64 64 64 64 64 64 64 64 64 64 64 64 64 64 64 64)))
              (v128.or (call $lo4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 64 64 64 64 64 64 64 64 64 64 64 64 64 64 64 64)))
              (i32.add (local.get $x) (i32.const 384)) (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $hi) (local.get $hi))))
            (local.set $acc (call $sub32 (local.get $acc)
              (v128.or (call $hi4 (local.get $q0)) (call $bit4 (local.get $h0) (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
              (v128.or (call $hi4 (local.get $q1)) (call $bit4 (local.get $h1) (v128.const i8x16 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128 128)))
              (i32.add (local.get $x) (i32.const 448)) (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $hi) (local.get $hi))))
            (local.set $sum (call $kSum (local.get $sum) (local.get $p)
              (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2))))
              (local.get $acc)
              ;; Σ m·(Σx) over the eight sub-blocks
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $scm))
                (v128.load (i32.add (local.get $xs) (i32.shl (local.get $b) (i32.const 4)))))))
            (local.set $p (i32.add (local.get $p) (i32.const 176)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; group16: acc + sc·Σ q·x over a group of 16 (q the signed bytes of v).
  (func $group16 (param $acc v128) (param $v v128) (param $x i32) (param $sc i32) (result v128)
    (i32x4.add (local.get $acc)
      (i32x4.mul
        (i32x4.add
          (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $x)))
          (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $x))))
        (i32x4.splat (local.get $sc)))))

  ;; matvec_q6_k: out[r] = row r of Q6_K weights (rows rowBytes apart,
  ;; super-blocks of 210 bytes: ql[128], qh[64], scales[16] int8, f16 d) ·
  ;; the quantized activations. In half h, group g of 32 elements takes its
  ;; low four bits from ql[64h+32(g&1)+l] (low nibbles for g < 2, high
  ;; ones after), its high two from bits 2g of qh[32h+l], and a scale per
  ;; 16; values are q − 32, which fit the signed bytes.
  (func (export "matvec_q6_k")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32)
        (param $out i32) (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sum f32) (local $half i32)
    (local $ps i32) (local $acc v128)
    (local $ql0 v128) (local $ql1 v128) (local $ql2 v128) (local $ql3 v128) (local $qh0 v128) (local $qh1 v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $sum (f32.const 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $b (i32.const 0))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            (local.set $acc (v128.const i32x4 0 0 0 0))
            (local.set $half (i32.const 0))
            (loop $halves
              ;; ql, qh, scales and x of half h
              (local.set $x (i32.add (local.get $xq)
                (i32.add (i32.shl (local.get $b) (i32.const 9)) (i32.shl (local.get $half) (i32.const 8)))))
              (local.set $ps (i32.add (local.get $p) (i32.add (i32.const 192) (i32.shl (local.get $half) (i32.const 3)))))
              (local.set $ql0 (v128.load (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 6)))))
              (local.set $ql1 (v128.load offset=16 (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 6)))))
              (local.set $ql2 (v128.load offset=32 (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 6)))))
              (local.set $ql3 (v128.load offset=48 (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 6)))))
              (local.set $qh0 (v128.load offset=128 (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 5)))))
              (local.set $qh1 (v128.load offset=144 (i32.add (local.get $p) (i32.shl (local.get $half) (i32.const 5)))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $lo4 (local.get $ql0))
                (i8x16.shl (v128.and (local.get $qh0) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3)) (i32.const 4))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (local.get $x) (i32.load8_s (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $lo4 (local.get $ql1))
                (i8x16.shl (v128.and (local.get $qh1) (v128.const i8x16 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3)) (i32.const 4))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 32)) (i32.load8_s offset=1 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $lo4 (local.get $ql2))
                (i8x16.shl (v128.and (local.get $qh0) (v128.const i8x16 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12)) (i32.const 2))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 64)) (i32.load8_s offset=2 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $lo4 (local.get $ql3))
                (i8x16.shl (v128.and (local.get $qh1) (v128.const i8x16 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12 12)) (i32.const 2))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 96)) (i32.load8_s offset=3 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $hi4 (local.get $ql0))
                (v128.and (local.get $qh0) (v128.const i8x16 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 128)) (i32.load8_s offset=4 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $hi4 (local.get $ql1))
                (v128.and (local.get $qh1) (v128.const i8x16 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 160)) (i32.load8_s offset=5 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $hi4 (local.get $ql2))
                (v128.and (i8x16.shr_u (local.get $qh0) (i32.const 2)) (v128.const i8x16 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 192)) (i32.load8_s offset=6 (local.get $ps))))
            (local.set $acc (call $group16 (local.get $acc)
              (i8x16.sub (v128.or (call $hi4 (local.get $ql3))
                (v128.and (i8x16.shr_u (local.get $qh1) (i32.const 2)) (v128.const i8x16 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48))) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
              (i32.add (local.get $x) (i32.const 224)) (i32.load8_s offset=7 (local.get $ps))))
              (local.set $half (i32.add (local.get $half) (i32.const 1)))
              (br_if $halves (i32.lt_u (local.get $half) (i32.const 2))))
            ;; sum += d·dx·Σ sc·(q−32)·x
            (local.set $sum (f32.add (local.get $sum)
              (f32.mul
                (f32.mul (call $f16 (i32.add (local.get $p) (i32.const 208)))
                  (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))
                (f32.convert_i32_s (call $hsum (local.get $acc))))))
            (local.set $p (i32.add (local.get $p) (i32.const 210)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; clear16: 16 in byte j of the result where bit j of the two bytes of h
  ;; that the shuffle picks is clear, else 0 (what Q5_0 subtracts).
  (func $clear16 (param $m v128) (result v128)
    (v128.andnot (v128.const i8x16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16 16)
      (i8x16.eq (v128.and (local.get $m) (v128.const i8x16 1 2 4 8 16 32 64 128 1 2 4 8 16 32 64 128)) (v128.const i8x16 1 2 4 8 16 32 64 128 1 2 4 8 16 32 64 128))))

  ;; q5dot: Σ q·x of the Q5_0 block at p with the 32 int16 at x, as four
  ;; i32 lanes.
  (func $q5dot (param $p i32) (param $x i32) (result v128)
    (local $q v128) (local $h v128) (local $lo v128) (local $hi v128)
    (local.set $q (v128.load offset=6 (local.get $p)))
    (local.set $h (v128.load32_splat offset=2 (local.get $p)))
    (local.set $lo (i8x16.sub (call $lo4 (local.get $q))
      (call $clear16 (i8x16.shuffle 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 (local.get $h) (local.get $h)))))
    (local.set $hi (i8x16.sub (call $hi4 (local.get $q))
      (call $clear16 (i8x16.shuffle 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 (local.get $h) (local.get $h)))))
    (i32x4.add
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (v128.load (local.get $x)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (v128.load offset=16 (local.get $x))))
      (i32x4.add
        (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (v128.load offset=32 (local.get $x)))
        (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (v128.load offset=48 (local.get $x))))))

  ;; sum4: the lane sums of a, b, c and d, in lanes 0..3.
  (func $sum4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local.set $a (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $c (i32x4.add (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))))
    (i32x4.add (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $c))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $c))))

  ;; f16x4: the finite binary16 values at p, p+22, p+44 and p+66 (four
  ;; Q5_0 scales) as f32 lanes, exactly, as $f16 widens one.
  (func $f16x4 (param $p i32) (result v128)
    (local $h v128)
    (local.set $h (i32x4.replace_lane 3
      (i32x4.replace_lane 2
        (i32x4.replace_lane 1
          (i32x4.splat (i32.load16_u (local.get $p)))
          (i32.load16_u offset=22 (local.get $p)))
        (i32.load16_u offset=44 (local.get $p)))
      (i32.load16_u offset=66 (local.get $p))))
    (v128.or
      (f32x4.mul
        (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13))
        (v128.const f32x4 0x1p112 0x1p112 0x1p112 0x1p112))
      (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16))))

  ;; matvec_q5_0: out[r] = row r of Q5_0 weights (rows rowBytes apart, blocks
  ;; of 22 bytes: f16 d, qh u32, qs[16]) · the Q8_0 activations (int16 xq,
  ;; f32 xd per block of 32). Element j < 16 is the low nibble of qs[j],
  ;; element j+16 the high one; bit j of qh is the fifth bit of element j;
  ;; values are q − 16. Blocks go four at a time: their integer sums are
  ;; gathered into one vector, converted and scaled together, and added to
  ;; the row's sum one lane after the other, in block order.
  (func (export "matvec_q5_0")
        (param $w i32) (param $rowBytes i32) (param $xq i32) (param $xd i32)
        (param $out i32) (param $rows i32) (param $blocks i32)
    (local $r i32) (local $b i32) (local $p i32) (local $x i32) (local $sum f32) (local $v v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $sum (f32.const 0))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $x (local.get $xq))
        (local.set $b (i32.const 0))
        (block $b4done
          (loop $block4
            (br_if $b4done (i32.gt_s (i32.add (local.get $b) (i32.const 4)) (local.get $blocks)))
            ;; Σ q·x · (d·dx) of four blocks
            (local.set $v (f32x4.mul
              (f32x4.convert_i32x4_s (call $sum4
                (call $q5dot (local.get $p) (local.get $x))
                (call $q5dot (i32.add (local.get $p) (i32.const 22)) (i32.add (local.get $x) (i32.const 64)))
                (call $q5dot (i32.add (local.get $p) (i32.const 44)) (i32.add (local.get $x) (i32.const 128)))
                (call $q5dot (i32.add (local.get $p) (i32.const 66)) (i32.add (local.get $x) (i32.const 192)))))
              (f32x4.mul (call $f16x4 (local.get $p))
                (v128.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2)))))))
            (local.set $sum (f32.add
              (f32.add
                (f32.add
                  (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $v)))
                  (f32x4.extract_lane 1 (local.get $v)))
                (f32x4.extract_lane 2 (local.get $v)))
              (f32x4.extract_lane 3 (local.get $v))))
            (local.set $p (i32.add (local.get $p) (i32.const 88)))
            (local.set $x (i32.add (local.get $x) (i32.const 256)))
            (local.set $b (i32.add (local.get $b) (i32.const 4)))
            (br $block4)))
        (block $bdone
          (loop $block
            (br_if $bdone (i32.ge_s (local.get $b) (local.get $blocks)))
            ;; sum += Σ q·x · (d·dx)
            (local.set $sum (f32.add (local.get $sum)
              (f32.mul
                (f32.convert_i32_s (call $hsum (call $q5dot (local.get $p) (local.get $x))))
                (f32.mul (call $f16 (local.get $p))
                  (f32.load (i32.add (local.get $xd) (i32.shl (local.get $b) (i32.const 2))))))))
            (local.set $p (i32.add (local.get $p) (i32.const 22)))
            (local.set $x (i32.add (local.get $x) (i32.const 64)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $block)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $sum))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
