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

// bytes4_at returns the four bytes at b..b+3, which may straddle two words.
fn bytes4_at(b: u32) -> vec4u {
    let shift = (b & 3u) * 8u;
    var v = w[b >> 2u];
    if (shift != 0u) {
        v = (v >> shift) | (w[(b >> 2u) + 1u] << (32u - shift));
    }
    return vec4u(v & 0xffu, (v >> 8u) & 0xffu, (v >> 16u) & 0xffu, v >> 24u);
}

// i8x4 sign-extends four bytes.
fn i8x4(b: vec4u) -> vec4i {
    return (bitcast<vec4i>(b << vec4u(24u)) >> vec4u(24u));
}
