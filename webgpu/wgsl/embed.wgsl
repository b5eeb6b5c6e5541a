// Embedding lookup: dst[t] = dequantized row tokens[t] of the table. A large
// table is split into buffers of whole rows; each dispatch covers one buffer
// and writes only the tokens whose rows it holds.

struct Params {
    first_row: u32, // the buffer's first table row
    rows: u32,      // table rows in this buffer
    cols: u32,
    row_bytes: u32,
    tokens: u32,
}

@group(0) @binding(0) var<storage, read> w: array<u32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
    let c = gid.x;
    let t = gid.y;
    if (c >= p.cols || t >= p.tokens) {
        return;
    }
    let tok = tokens[t];
    if (tok < p.first_row || tok >= p.first_row + p.rows) {
        return;
    }
    let base = (tok - p.first_row) * p.row_bytes;
    dst[t * p.cols + c] = dequant(base + (c / BLOCK_SIZE) * BLOCK_BYTES, c % BLOCK_SIZE);
}
