// Causal grouped-query attention over the KV cache, in the manner of flash
// attention: one workgroup per (head, token) walks the cache in tiles of WG
// positions, keeping a running maximum and sum of the softmax (the online
// softmax) so that scores are never stored beyond one tile. Token r of the
// batch is at position pos+r and attends to positions 0..pos+r.

struct Params {
    head_dim: u32,
    heads: u32,
    group: u32,  // query heads per KV head
    kv_dim: u32, // KV heads × head_dim: the cache's row stride
    pos: u32,
    scale: f32,  // 1/sqrt(head_dim)
}

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k_cache: array<f32>;
@group(0) @binding(2) var<storage, read> v_cache: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override WG: u32 = 64u;
const MAX_HEAD_DIM: u32 = 256u;
// Output dimensions each invocation owns (lid, lid+WG, …); the host checks
// head_dim ≤ DIMS_PER_INVOCATION·WG.
const DIMS_PER_INVOCATION: u32 = 8u;
const NEG_BIG: f32 = -3.0e38;

var<workgroup> q_tile: array<f32, MAX_HEAD_DIM>;
var<workgroup> probs: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let h = wg.x;
    let r = wg.y;
    let last = p.pos + r;
    let q_cols = p.heads * p.head_dim;
    let q_off = r * q_cols + h * p.head_dim;
    let kv_off = (h / p.group) * p.head_dim;
    for (var d = lid; d < p.head_dim; d += WG) {
        q_tile[d] = q[q_off + d];
    }
    workgroupBarrier();

    var m = NEG_BIG; // running maximum score
    var l = 0.0;     // running sum of exp(score − m)
    var acc: array<f32, DIMS_PER_INVOCATION>;
    for (var t0 = 0u; t0 <= last; t0 += WG) {
        let t = t0 + lid;
        var s = NEG_BIG;
        if (t <= last) {
            let k_row = t * p.kv_dim + kv_off;
            var dot = 0.0;
            for (var d = 0u; d < p.head_dim; d++) {
                dot += q_tile[d] * k_cache[k_row + d];
            }
            s = dot * p.scale;
        }
        let m_new = max(m, workgroup_max(s, lid));
        var e = 0.0;
        if (t <= last) {
            e = exp(s - m_new);
        }
        probs[lid] = e;
        let tile_sum = workgroup_sum(e, lid); // its barriers publish probs
        let correction = exp(m - m_new);
        l = l * correction + tile_sum;
        let n = min(WG, last + 1u - t0);
        for (var i = 0u; i < DIMS_PER_INVOCATION; i++) {
            let d = lid + i * WG;
            if (d < p.head_dim) {
                var a = acc[i] * correction;
                for (var j = 0u; j < n; j++) {
                    a += probs[j] * v_cache[(t0 + j) * p.kv_dim + kv_off + d];
                }
                acc[i] = a;
            }
        }
        m = m_new;
        workgroupBarrier(); // probs is rewritten by the next tile
    }
    for (var i = 0u; i < DIMS_PER_INVOCATION; i++) {
        let d = lid + i * WG;
        if (d < p.head_dim) {
            out[q_off + d] = acc[i] / l;
        }
    }
}
