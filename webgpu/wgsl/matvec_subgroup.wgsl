enable subgroups;
// Rows are assigned per subgroup, so control flow is uniform within each
// subgroup though not across the workgroup, which WGSL's analysis cannot see.
diagnostic(off, subgroup_uniformity);

// Matrix-vector products for decoding on GPUs with subgroups: each subgroup
// computes one output element (weight row × token) at a time, its
// invocations striding along the row four elements each (which share a
// scale in every block layout) so that they read adjacent memory, and
// sums with subgroupAdd — no workgroup memory, no barriers. A workgroup
// covers ROWS rows (WG / the adapter's smallest subgroup size), its
// subgroups taking them in turn.

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
override ROWS: u32 = 16u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u,
        @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_invocation_id) lane: u32,
        @builtin(subgroup_size) sg_size: u32) {
    // The subgroup's number in the workgroup. This relies on subgroups being
    // runs of consecutive local indices, as implementations lay out
    // one-dimensional workgroups. (Numbering them with a workgroup atomic
    // counter bumped by each subgroup's elected invocation would not rely on
    // it, but on SwiftShader that gave every subgroup number 0.)
    let slot = lid / sg_size;
    let first = (wg.x + wg.y * p.groups_x) * ROWS;
    let tok = wg.z;
    let xo = tok * p.cols;
    for (var r = slot; r < ROWS; r += WG / sg_size) {
        let row = first + r;
        if (row >= p.rows) {
            break;
        }
        let base = row * p.row_bytes;
        var sum = 0.0;
        if (p.cols % 4u == 0u) { // always, except for odd-sized F32/F16 rows
            for (var j = 4u * lane; j < p.cols; j += 4u * sg_size) {
                let xv = vec4f(x[xo + j], x[xo + j + 1u], x[xo + j + 2u], x[xo + j + 3u]);
                sum += product4(dequant4(base + (j / BLOCK_SIZE) * BLOCK_BYTES, j % BLOCK_SIZE), xv);
            }
        } else {
            for (var j = lane; j < p.cols; j += sg_size) {
                sum += product1(dequant(base + (j / BLOCK_SIZE) * BLOCK_BYTES, j % BLOCK_SIZE), x[xo + j]);
            }
        }
        var total = subgroupAdd(sum);
        if (lane == 0u) {
            if (p.has_bias != 0u) {
                total += bias[p.row_offset + row];
            }
            dst[tok * p.out_cols + p.row_offset + row] = total;
        }
    }
}
