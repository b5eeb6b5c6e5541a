// Residual add in place: dst += x, element-wise.

struct Params {
    n: u32,
    groups_x: u32, // workgroups along x; elements fold into x and y
}

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let i = (wg.x + wg.y * p.groups_x) * WG + lid;
    if (i >= p.n) {
        return;
    }
    dst[i] += x[i];
}
