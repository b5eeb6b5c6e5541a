// Q4_K: d f16, dmin f16, twelve bytes of 6-bit scales and mins (eight
// each), then 128 bytes of nibbles. Each 64 elements share 32 bytes: the
// first 32 in the low nibbles, the next 32 in the high ones; each 32 has its
// own scale and min. Value = d·sc·q − dmin·m.
const BLOCK_SIZE: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;

// scale_min unpacks the j-th scale (x) and min (y): for j < 4 they are the
// low six bits of bytes j and j+4; otherwise their low nibbles share byte
// j+4 and their top two bits are the top bits of bytes j−4 and j.
fn scale_min(s: u32, j: u32) -> vec2u {
    if (j < 4u) {
        return vec2u(byte_at(s + j) & 63u, byte_at(s + j + 4u) & 63u);
    }
    let shared_byte = byte_at(s + j + 4u);
    return vec2u((shared_byte & 0xfu) | ((byte_at(s + j - 4u) >> 6u) << 4u),
                 (shared_byte >> 4u) | ((byte_at(s + j) >> 6u) << 4u));
}

fn dequant(base: u32, i: u32) -> f32 {
    let sub = i >> 5u;
    let sm = scale_min(base + 4u, sub);
    let d1 = f16_at(base) * f32(sm.x);
    let m1 = f16_at(base + 2u) * f32(sm.y);
    let q = (byte_at(base + 16u + 32u * (sub >> 1u) + (i & 31u)) >> (4u * (sub & 1u))) & 0xfu;
    return d1 * f32(q) - m1;
}

// dequant4 returns elements i..i+3 (i a multiple of 4) of the block at base;
// they share one scale and min.
fn dequant4(base: u32, i: u32) -> vec4f {
    let sub = i >> 5u;
    let sm = scale_min(base + 4u, sub);
    let d1 = f16_at(base) * f32(sm.x);
    let m1 = f16_at(base + 2u) * f32(sm.y);
    let q = (bytes4_at(base + 16u + 32u * (sub >> 1u) + (i & 31u)) >> vec4u(4u * (sub & 1u))) & vec4u(0xfu);
    return d1 * vec4f(q) - vec4f(m1);
}
