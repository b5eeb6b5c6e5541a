// Q8_0: d f16, then 32 signed bytes; value = q·d.
const BLOCK_SIZE: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;

fn dequant(base: u32, i: u32) -> f32 {
    return f32(i8_at(base + 2u + i)) * f16_at(base);
}

// dequant4 returns elements i..i+3 (i a multiple of 4) of the block at base.
fn dequant4(base: u32, i: u32) -> vec4f {
    return vec4f(i8x4(bytes4_at(base + 2u + i))) * f16_at(base);
}
