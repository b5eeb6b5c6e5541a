// Matrix-vector products for decoding: one workgroup per output element
// (weight row × token). Its invocations stride across the row, dequantizing
// each weight element in place, and reduce their partial sums.

struct Params {
    rows: u32,       // weight rows in this buffer (a chunk of the matrix)
    cols: u32,       // elements per row = activation columns
    row_bytes: u32,  // bytes per weight row
    row_offset: u32, // the chunk's first row: its column in dst and bias
    out_cols: u32,   // dst row stride
    has_bias: u32,
    groups_x: u32,   // workgroups along x; rows fold into x and y
    tokens: u32,
}

@group(0) @binding(0) var<storage, read> w: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32) {
    let row = wg.x + wg.y * p.groups_x;
    let tok = wg.z;
    var sum = 0.0;
    if (row < p.rows) {
        let base = row * p.row_bytes;
        let xo = tok * p.cols;
        for (var j = lid; j < p.cols; j += WG) {
            sum += dequant(base + (j / BLOCK_SIZE) * BLOCK_BYTES, j % BLOCK_SIZE) * x[xo + j];
        }
    }
    let total = workgroup_sum(sum, lid);
    if (lid == 0u && row < p.rows) {
        var v = total;
        if (p.has_bias != 0u) {
            v += bias[p.row_offset + row];
        }
        dst[tok * p.out_cols + p.row_offset + row] = v;
    }
}
