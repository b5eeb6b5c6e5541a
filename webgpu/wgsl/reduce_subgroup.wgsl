enable subgroups;

// Workgroup reductions with subgroup operations: each subgroup reduces in
// registers, its first active invocation files the partial result in a slot of its
// own, and a short serial pass over the slots finishes. Slots are ordered
// by the lowest local index of each subgroup, so the result does not depend
// on which subgroup gets there first. WG must be a multiple of the subgroup
// size (true for the power-of-two sizes we use and every subgroup size
// WebGPU allows, 4…128).
var<workgroup> reduce_buf: array<f32, WG>;

fn workgroup_sum(v: f32, lid: u32) -> f32 {
    reduce_buf[lid] = 0.0;
    workgroupBarrier();
    let s = subgroupAdd(v);
    let first = subgroupBroadcastFirst(lid);
    if (lid == first) {
        reduce_buf[first] = s;
    }
    workgroupBarrier();
    var total = 0.0;
    for (var i = 0u; i < WG; i++) {
        total += reduce_buf[i];
    }
    workgroupBarrier();
    return total;
}

fn workgroup_max(v: f32, lid: u32) -> f32 {
    reduce_buf[lid] = -3.0e38;
    workgroupBarrier();
    let m = subgroupMax(v);
    let first = subgroupBroadcastFirst(lid);
    if (lid == first) {
        reduce_buf[first] = m;
    }
    workgroupBarrier();
    var best = -3.0e38;
    for (var i = 0u; i < WG; i++) {
        best = max(best, reduce_buf[i]);
    }
    workgroupBarrier();
    return best;
}
