// Q4_0: d f16, then 16 bytes; byte j holds element j in its low nibble and
// element j+16 in its high one; value = (q−8)·d.
const BLOCK_SIZE: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;

fn dequant(base: u32, i: u32) -> f32 {
    let q = (byte_at(base + 2u + (i & 15u)) >> ((i >> 4u) * 4u)) & 0xfu;
    return f32(i32(q) - 8) * f16_at(base);
}
