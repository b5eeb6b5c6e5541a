// Workgroup reductions through workgroup memory (a tree of WG/2, WG/4, …
// adds; WG must be a power of two). Every invocation of the workgroup must
// call them, in uniform control flow.
var<workgroup> reduce_buf: array<f32, WG>;

fn workgroup_sum(v: f32, lid: u32) -> f32 {
    reduce_buf[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            reduce_buf[lid] += reduce_buf[lid + s];
        }
        workgroupBarrier();
    }
    let total = reduce_buf[0];
    workgroupBarrier(); // nobody overwrites reduce_buf before all have read it
    return total;
}

fn workgroup_max(v: f32, lid: u32) -> f32 {
    reduce_buf[lid] = v;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            reduce_buf[lid] = max(reduce_buf[lid], reduce_buf[lid + s]);
        }
        workgroupBarrier();
    }
    let m = reduce_buf[0];
    workgroupBarrier();
    return m;
}
