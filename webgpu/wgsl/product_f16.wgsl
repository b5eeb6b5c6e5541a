enable f16;

// The matrix products' multiplications in f16 (twice the f32 rate on many
// GPUs), used only when the adapter has shader-f16 and Options.ShaderF16
// asks for it: weights and activations keep 11 significant bits on the way
// in; the callers accumulate in f32.

// matmul.wgsl's tiles in f16: half the workgroup-memory traffic.
alias staged = f16;

fn product4(w: vec4f, x: vec4f) -> f32 {
    return f32(dot(vec4h(w), vec4h(x)));
}

fn product1(w: f32, x: f32) -> f32 {
    return f32(f16(w) * f16(x));
}
