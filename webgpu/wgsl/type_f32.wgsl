// F32: one element per "block" of four bytes.
const BLOCK_SIZE: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;

fn dequant(base: u32, i: u32) -> f32 {
    return bitcast<f32>(w[base >> 2u]);
}
