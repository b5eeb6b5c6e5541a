// Rotary position embedding in place. The host supplies cos and sin of every
// (token, pair) angle, computed in float64 as the reference does, so that
// large positions lose no precision in the shader's trigonometry.

struct Params {
    cols: u32,     // heads × head_dim
    head_dim: u32,
    half: u32,     // rotated pairs per head (rope dims / 2)
    neox: u32,     // pairs (i, i+half) instead of (2i, 2i+1)
    tokens: u32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> cos_sin: array<vec2f>; // [token][pair]
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
    let heads = p.cols / p.head_dim;
    let i = gid.x % p.half;
    let h = gid.x / p.half;
    let t = gid.y;
    if (h >= heads || t >= p.tokens) {
        return;
    }
    var a = 2u * i;
    var b = 2u * i + 1u;
    if (p.neox != 0u) {
        a = i;
        b = i + p.half;
    }
    let off = t * p.cols + h * p.head_dim;
    let cs = cos_sin[t * p.half + i];
    let x0 = x[off + a];
    let x1 = x[off + b];
    x[off + a] = x0 * cs.x - x1 * cs.y;
    x[off + b] = x0 * cs.y + x1 * cs.x;
}
