// SwiGLU in place: g = silu(g) * u, element-wise.

struct Params {
    n: u32,
    groups_x: u32, // workgroups along x; elements fold into x and y
}

@group(0) @binding(0) var<storage, read_write> g: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let i = (wg.x + wg.y * p.groups_x) * WG + lid;
    if (i >= p.n) {
        return;
    }
    var v = g[i];
    v *= 1.0 / (1.0 + exp(-v));
    g[i] = v * u[i];
}
