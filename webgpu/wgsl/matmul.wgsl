// Tiled matrix-matrix products for prefill: a TILE×TILE workgroup computes
// TILE tokens × TILE weight rows. Each step stages TILE columns of the
// activations and of the dequantized weights in workgroup memory, so every
// weight element is dequantized once per TILE tokens instead of once per
// token. The tiles' element type and the precision of the products come
// from product_f32.wgsl or product_f16.wgsl.

struct Params {
    rows: u32,       // weight rows in this buffer (a chunk of the matrix)
    cols: u32,       // elements per row = activation columns
    row_bytes: u32,  // bytes per weight row
    row_offset: u32, // the chunk's first row: its column in dst and bias
    out_cols: u32,   // dst row stride
    has_bias: u32,
    groups_x: u32,   // workgroups along x; row tiles fold into x and z
    tokens: u32,
}

@group(0) @binding(0) var<storage, read> w: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

override TILE: u32 = 16u;

var<workgroup> xs: array<staged, TILE * TILE>; // [token][k]
var<workgroup> ws: array<staged, TILE * TILE>; // [row][k]

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
    let row0 = (wg.x + wg.z * p.groups_x) * TILE;
    let tok0 = wg.y * TILE;
    let tok = tok0 + l.y;
    let out_row = row0 + l.x;
    let load_row = row0 + l.y;
    var acc = 0.0;
    for (var k0 = 0u; k0 < p.cols; k0 += TILE) {
        let k = k0 + l.x;
        var xv = 0.0;
        if (tok < p.tokens && k < p.cols) {
            xv = x[tok * p.cols + k];
        }
        xs[l.y * TILE + l.x] = staged(xv);
        var wv = 0.0;
        if (load_row < p.rows && k < p.cols) {
            wv = dequant(load_row * p.row_bytes + (k / BLOCK_SIZE) * BLOCK_BYTES, k % BLOCK_SIZE);
        }
        ws[l.y * TILE + l.x] = staged(wv);
        workgroupBarrier();
        for (var kk = 0u; kk < TILE; kk++) {
            acc += f32(xs[l.y * TILE + kk] * ws[l.x * TILE + kk]);
        }
        workgroupBarrier();
    }
    if (out_row < p.rows && tok < p.tokens) {
        if (p.has_bias != 0u) {
            acc += bias[p.row_offset + out_row];
        }
        dst[tok * p.out_cols + p.row_offset + out_row] = acc;
    }
}
