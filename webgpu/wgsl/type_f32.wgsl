// F32: one element per "block" of four bytes.
const BLOCK_SIZE: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;

fn dequant(base: u32, i: u32) -> f32 {
    return bitcast<f32>(w[base >> 2u]);
}

// dequant4 returns elements i..i+3 (i a multiple of 4) of the "block" at
// base; for one-element blocks, the four elements from base on.
fn dequant4(base: u32, i: u32) -> vec4f {
    let o = base >> 2u;
    return vec4f(bitcast<f32>(w[o]), bitcast<f32>(w[o + 1u]), bitcast<f32>(w[o + 2u]), bitcast<f32>(w[o + 3u]));
}
