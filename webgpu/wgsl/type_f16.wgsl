// F16: one element per "block" of two bytes.
const BLOCK_SIZE: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn dequant(base: u32, i: u32) -> f32 {
    return f16_at(base);
}
