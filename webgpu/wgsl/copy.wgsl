// A copy between two f32 buffers, run inside the compute pass: the
// command encoder's copyBufferToBuffer would end the pass, and a token's
// forward pass copies several times per layer (the KV cache, RMSNorm's
// input, the last row).

struct Params {
    n: u32,
    src_offset: u32, // in elements
    dst_offset: u32,
    groups_x: u32,   // workgroups along x; elements fold into x and y
}

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let i = (wg.x + wg.y * p.groups_x) * WG + lid;
    if (i >= p.n) {
        return;
    }
    dst[p.dst_offset + i] = src[p.src_offset + i];
}
