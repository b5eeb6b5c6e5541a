// The k largest values of a row and their indices, largest first (ties by
// lowest index), in one workgroup: round j finds the best element ranked
// after round j−1's pick, so nothing is marked or sorted. k = 1 is greedy
// sampling's argmax. out holds (index, bitcast value) pairs.

struct Params {
    n: u32,      // row length
    offset: u32, // the row's first element in x
    k: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

override WG: u32 = 256u;
const NONE: u32 = 0xffffffffu;

var<workgroup> best_v: array<f32, WG>;
var<workgroup> best_i: array<u32, WG>;

// ranks_before reports whether (v, i) comes before (w, j): larger value
// first, then lower index; NONE ranks last.
fn ranks_before(v: f32, i: u32, w: f32, j: u32) -> bool {
    if (j == NONE) {
        return i != NONE;
    }
    if (i == NONE) {
        return false;
    }
    return v > w || (v == w && i < j);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
    var prev_v = 0.0;
    var prev_i = NONE; // nothing picked yet
    for (var round = 0u; round < p.k; round++) {
        var bv = 0.0;
        var bi = NONE;
        for (var i = lid; i < p.n; i += WG) {
            let v = x[p.offset + i];
            let after_prev = prev_i == NONE || ranks_before(prev_v, prev_i, v, i);
            if (after_prev && ranks_before(v, i, bv, bi)) {
                bv = v;
                bi = i;
            }
        }
        best_v[lid] = bv;
        best_i[lid] = bi;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if (lid < s && ranks_before(best_v[lid + s], best_i[lid + s], best_v[lid], best_i[lid])) {
                best_v[lid] = best_v[lid + s];
                best_i[lid] = best_i[lid + s];
            }
            workgroupBarrier();
        }
        prev_v = best_v[0];
        prev_i = best_i[0];
        if (lid == 0u) {
            out[2u * round] = prev_i;
            out[2u * round + 1u] = bitcast<u32>(prev_v);
        }
        workgroupBarrier();
    }
}
