// Q4_0: d f16, then 16 bytes; byte j holds element j in its low nibble and
// element j+16 in its high one; value = (q−8)·d.
const BLOCK_SIZE: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;

fn dequant(base: u32, i: u32) -> f32 {
    let q = (byte_at(base + 2u + (i & 15u)) >> ((i >> 4u) * 4u)) & 0xfu;
    return f32(i32(q) - 8) * f16_at(base);
}

// dequant4 returns elements i..i+3 (i a multiple of 4) of the block at base.
fn dequant4(base: u32, i: u32) -> vec4f {
    let q = (bytes4_at(base + 2u + (i & 15u)) >> vec4u((i >> 4u) * 4u)) & vec4u(0xfu);
    return vec4f(vec4i(q) - vec4i(8)) * f16_at(base);
}
