// RMSNorm in place, one workgroup per row:
// x[r] = weight * (x[r] / sqrt(mean(x[r]²) + eps)).

struct Params {
    cols: u32,
    eps: f32,
}

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let off = wg.x * p.cols;
    var ss = 0.0;
    for (var i = lid; i < p.cols; i += WG) {
        let v = x[off + i];
        ss += v * v;
    }
    let total = workgroup_sum(ss, lid);
    let scale = 1.0 / sqrt(total / f32(p.cols) + p.eps);
    for (var i = lid; i < p.cols; i += WG) {
        x[off + i] = weight[i] * (scale * x[off + i]);
    }
}
