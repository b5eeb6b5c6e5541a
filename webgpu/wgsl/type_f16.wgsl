// F16: one element per "block" of two bytes.
const BLOCK_SIZE: u32 = 1u;
const BLOCK_BYTES: u32 = 2u;

fn dequant(base: u32, i: u32) -> f32 {
    return f16_at(base);
}

// dequant4 returns the four elements from base on (base is a multiple of 8
// when the first element's index is a multiple of 4).
fn dequant4(base: u32, i: u32) -> vec4f {
    let o = base >> 2u;
    return vec4f(unpack2x16float(w[o]), unpack2x16float(w[o + 1u]));
}
