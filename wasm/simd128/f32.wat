;; F32 kernels that give the same bits as the Go reference (tensor.Dot and
;; cpu.Reference's attention): every output accumulates its products in
;; element order, a rounded multiply then a rounded add, as the reference
;; does. The SIMD lanes are four outputs at once, never four partial sums
;; of one output.
(module
  (import "go" "mem" (memory 0))

  ;; matvec: out[r] = sum over c of w[r][c] * x[c], for r < rows, with row r
  ;; of w at w + r*stride bytes. Four rows at a time: a 4×4 tile of w is
  ;; transposed so that column c of the tile multiplies the splat of x[c].
  (func (export "matvec")
        (param $w i32) (param $stride i32) (param $x i32) (param $out i32)
        (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $p i32) (local $acc v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $s f32)
    ;; four rows at a time while whole tiles of columns remain
    (if (i32.eqz (i32.and (local.get $cols) (i32.const 3)))
      (then
        (block $rows4done
          (loop $rows4
            (br_if $rows4done (i32.gt_s (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $w) (i32.mul (local.get $r) (local.get $stride))))
            (local.set $c (i32.const 0))
            (block $colsdone
              (loop $cols
                (br_if $colsdone (i32.ge_s (local.get $c) (local.get $cols)))
                (local.set $a0 (v128.load (local.get $p)))
                (local.set $a1 (v128.load (i32.add (local.get $p) (local.get $stride))))
                (local.set $a2 (v128.load (i32.add (local.get $p) (i32.shl (local.get $stride) (i32.const 1)))))
                (local.set $a3 (v128.load (i32.add (local.get $p) (i32.mul (local.get $stride) (i32.const 3)))))
                ;; t0 = (a0[0] a1[0] a0[1] a1[1]), t1 = (a0[2] a1[2] a0[3] a1[3]), same for a2, a3
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
                ;; columns 0..3 of the tile, each multiplied by its x, in order
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2))
                  (v128.load32_splat (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2))
                  (v128.load32_splat offset=4 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3))
                  (v128.load32_splat offset=8 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3))
                  (v128.load32_splat offset=12 (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (local.set $c (i32.add (local.get $c) (i32.const 4)))
                (br $cols)))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $acc))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $rows4)))))
    ;; the rows left over, one at a time
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
              (f32.load (i32.add (local.get $p) (i32.shl (local.get $c) (i32.const 2))))
              (f32.load (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $col)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; weighted_sum: out[i] = sum over t < n of a[t] * v[t][i], for i < dim,
  ;; with row t of v at v + t*stride bytes: the attention output, summed in
  ;; position order from zero. The lanes are four consecutive i.
  (func (export "weighted_sum")
        (param $v i32) (param $stride i32) (param $a i32) (param $out i32)
        (param $n i32) (param $dim i32)
    (local $i i32) (local $t i32) (local $p i32) (local $acc v128) (local $s f32)
    (block $vdone
      (loop $vec
        (br_if $vdone (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $dim)))
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $t (i32.const 0))
        (block $tdone
          (loop $pos
            (br_if $tdone (i32.ge_s (local.get $t) (local.get $n)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul
              (v128.load32_splat (i32.add (local.get $a) (i32.shl (local.get $t) (i32.const 2))))
              (v128.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $pos)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vec)))
    (block $done
      (loop $elem
        (br_if $done (i32.ge_s (local.get $i) (local.get $dim)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $v) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $t (i32.const 0))
        (block $sdone
          (loop $spos
            (br_if $sdone (i32.ge_s (local.get $t) (local.get $n)))
            (local.set $s (f32.add (local.get $s) (f32.mul
              (f32.load (i32.add (local.get $a) (i32.shl (local.get $t) (i32.const 2))))
              (f32.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $stride)))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $spos)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2))) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $elem))))
)
