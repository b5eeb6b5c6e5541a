// Matrix-vector products for decoding, without subgroup operations: each
// invocation computes one output element (weight row × token) on its own,
// so the kernel needs no workgroup barriers — software rasterizers pay
// dearly for those, and for every workgroup — taking four elements at a
// time (they share a scale in every block layout). (matvec_subgroup.wgsl
// is the variant for GPUs with subgroups: a subgroup per row, reading the
// row's memory together.)

struct Params {
    rows: u32,       // weight rows in this buffer (a chunk of the matrix)
    cols: u32,       // elements per row = activation columns
    row_bytes: u32,  // bytes per weight row
    row_offset: u32, // the chunk's first row: its column in dst and bias
    out_cols: u32,   // dst row stride
    has_bias: u32,
    groups_x: u32,   // workgroups along x; row groups fold into x and y
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
    let row = (wg.x + wg.y * p.groups_x) * WG + lid;
    let tok = wg.z;
    if (row >= p.rows) {
        return;
    }
    let base = row * p.row_bytes;
    let xo = tok * p.cols;
    var sum = 0.0;
    if (p.cols % 4u == 0u) { // always, except for odd-sized F32/F16 rows
        for (var j = 0u; j < p.cols; j += 4u) {
            let xv = vec4f(x[xo + j], x[xo + j + 1u], x[xo + j + 2u], x[xo + j + 3u]);
            sum += product4(dequant4(base + (j / BLOCK_SIZE) * BLOCK_BYTES, j % BLOCK_SIZE), xv);
        }
    } else {
        for (var j = 0u; j < p.cols; j++) {
            sum += product1(dequant(base + (j / BLOCK_SIZE) * BLOCK_BYTES, j % BLOCK_SIZE), x[xo + j]);
        }
    }
    if (p.has_bias != 0u) {
        sum += bias[p.row_offset + row];
    }
    dst[tok * p.out_cols + p.row_offset + row] = sum;
}
