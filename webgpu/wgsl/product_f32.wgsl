// The precision of the matrix products' multiplications (matvec.wgsl,
// matvec_subgroup.wgsl, matmul.wgsl): f32. product_f16.wgsl is the variant
// for adapters with shader-f16; the callers accumulate in f32 either way.

// The element type of the tiles matmul.wgsl stages in workgroup memory.
alias staged = f32;

fn product4(w: vec4f, x: vec4f) -> f32 {
    return dot(w, x);
}

fn product1(w: f32, x: f32) -> f32 {
    return w * x;
}
