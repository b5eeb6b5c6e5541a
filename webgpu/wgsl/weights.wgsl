// Weights are the file's bytes, packed little-endian into the u32 words of
// `w`: a block's byte offset need not be a multiple of four (Q4_0 blocks are
// 18 bytes), so every read goes through these helpers. Every f16 in the
// supported layouts sits at an even offset, so it never straddles two words.

fn byte_at(b: u32) -> u32 {
    return (w[b >> 2u] >> ((b & 3u) * 8u)) & 0xffu;
}

fn i8_at(b: u32) -> i32 {
    return bitcast<i32>(byte_at(b) << 24u) >> 24u;
}

fn f16_at(b: u32) -> f32 {
    return unpack2x16float((w[b >> 2u] >> ((b & 2u) * 8u)) & 0xffffu).x;
}
