// The multiplications of the matrix-vector products (matvec.wgsl,
// matvec_subgroup.wgsl) in f32. product_f16.wgsl is the variant for
// adapters with shader-f16; the callers accumulate in f32 either way.
fn product4(w: vec4f, x: vec4f) -> f32 {
    return dot(w, x);
}

fn product1(w: f32, x: f32) -> f32 {
    return w * x;
}
