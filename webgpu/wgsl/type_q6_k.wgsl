// Q6_K: ql[128] low four bits, qh[64] high two bits, sixteen int8 scales
// (one per 16 elements), d f16. In half h, group g of four 32-element groups
// takes its low bits from ql[64h + 32(g&1) + l] (low nibble for g < 2, high
// otherwise) and its high bits from bits 2g of qh[32h + l].
// Value = d·sc·(q − 32).
const BLOCK_SIZE: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;

fn dequant(base: u32, i: u32) -> f32 {
    let h = i >> 7u;
    let g = (i >> 5u) & 3u;
    let l = i & 31u;
    let lo = (byte_at(base + 64u * h + 32u * (g & 1u) + l) >> (4u * (g >> 1u))) & 0xfu;
    let hi = (byte_at(base + 128u + 32u * h + l) >> (2u * g)) & 3u;
    let q = i32(lo | (hi << 4u)) - 32;
    let sc = i8_at(base + 192u + 8u * h + 2u * g + (l >> 4u));
    return (f16_at(base + 208u) * f32(sc)) * f32(q);
}

// dequant4 returns elements i..i+3 (i a multiple of 4) of the block at base;
// they share one scale.
fn dequant4(base: u32, i: u32) -> vec4f {
    let h = i >> 7u;
    let g = (i >> 5u) & 3u;
    let l = i & 31u;
    let lo = (bytes4_at(base + 64u * h + 32u * (g & 1u) + l) >> vec4u(4u * (g >> 1u))) & vec4u(0xfu);
    let hi = (bytes4_at(base + 128u + 32u * h + l) >> vec4u(2u * g)) & vec4u(3u);
    let q = vec4i(lo | (hi << vec4u(4u))) - vec4i(32);
    let sc = i8_at(base + 192u + 8u * h + 2u * g + (l >> 4u));
    return (f16_at(base + 208u) * f32(sc)) * vec4f(q);
}
