package convert

import (
	"fmt"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// llamaSources lists the matrices and norms of a llama model with the
// given row lengths, in loader order.
func llamaSources(layers int, dim, ffn uint64, tied bool) []source {
	srcs := []source{
		{name: "token_embd.weight", dims: []uint64{dim, 512}, typ: tensor.F32},
		{name: "output_norm.weight", dims: []uint64{dim}, typ: tensor.F32},
	}
	if !tied {
		srcs = append(srcs, source{name: "output.weight", dims: []uint64{dim, 512}, typ: tensor.F32})
	}
	for l := range layers {
		for _, t := range []struct {
			name string
			dims []uint64
		}{
			{"attn_norm.weight", []uint64{dim}},
			{"attn_q.weight", []uint64{dim, dim}},
			{"attn_k.weight", []uint64{dim, dim}},
			{"attn_v.weight", []uint64{dim, dim}},
			{"attn_q.bias", []uint64{dim}},
			{"attn_output.weight", []uint64{dim, dim}},
			{"ffn_norm.weight", []uint64{dim}},
			{"ffn_gate.weight", []uint64{dim, ffn}},
			{"ffn_up.weight", []uint64{dim, ffn}},
			{"ffn_down.weight", []uint64{ffn, dim}},
		} {
			srcs = append(srcs, source{name: fmt.Sprintf("blk.%d.%s", l, t.name), dims: t.dims, typ: tensor.F32})
		}
	}
	sortLikeLlamaCpp(srcs)
	return srcs
}

// plan returns the chosen type of every tensor, by name.
func plan(t *testing.T, target string, srcs []source, layers int) map[string]tensor.Type {
	t.Helper()
	m, err := lookupMix(target)
	if err != nil {
		t.Fatal(err)
	}
	p := newPlanner(m, srcs, layers, false)
	got := map[string]tensor.Type{}
	for _, s := range srcs {
		got[s.name] = p.choose(s)
	}
	return got
}

func TestChooseType(t *testing.T) {
	stories := llamaSources(5, 64, 172, false) // stories260K: FFN rows of 172
	k8 := llamaSources(8, 256, 768, true)      // every row a multiple of 256, tied output
	tests := []struct {
		target string
		srcs   []source
		layers int
		want   map[string]tensor.Type
	}{
		{"F16", stories, 5, map[string]tensor.Type{
			"token_embd.weight": tensor.F16, "output.weight": tensor.F16, "blk.0.ffn_down.weight": tensor.F16,
			"output_norm.weight": tensor.F32, "blk.0.attn_q.bias": tensor.F32,
		}},
		{"Q8_0", stories, 5, map[string]tensor.Type{
			"token_embd.weight": tensor.Q8_0, "output.weight": tensor.Q8_0, "blk.4.attn_v.weight": tensor.Q8_0,
			"blk.0.ffn_down.weight": tensor.F16, // 172 is not a multiple of 32
			"blk.0.ffn_up.weight":   tensor.Q8_0, "blk.0.ffn_norm.weight": tensor.F32,
		}},
		{"Q4_0", stories, 5, map[string]tensor.Type{
			"token_embd.weight":   tensor.Q4_0,
			"output.weight":       tensor.Q8_0, // Q6_K for the output, falling back on 64-wide rows
			"blk.2.attn_v.weight": tensor.Q4_0, "blk.2.ffn_down.weight": tensor.F16,
		}},
		{"Q4_K_M", stories, 5, map[string]tensor.Type{
			"token_embd.weight":     tensor.Q5_0, // Q4_K does not fit 64, its fallback does
			"output.weight":         tensor.Q8_0,
			"blk.4.attn_v.weight":   tensor.Q8_0, // Q6_K (more bits) → Q8_0
			"blk.1.attn_v.weight":   tensor.Q5_0,
			"blk.0.ffn_down.weight": tensor.F16, // Q6_K → Q8_0 does not fit 172 either
			"blk.1.ffn_down.weight": tensor.F16, // Q4_K → Q5_0, neither
		}},
		{"Q4_K_M", k8, 8, map[string]tensor.Type{
			"token_embd.weight":   tensor.Q6_K, // tied: it is the output
			"blk.0.attn_v.weight": tensor.Q6_K, "blk.1.attn_v.weight": tensor.Q4_K, "blk.2.attn_v.weight": tensor.Q4_K,
			"blk.3.attn_v.weight": tensor.Q6_K, "blk.4.attn_v.weight": tensor.Q4_K, "blk.5.attn_v.weight": tensor.Q4_K,
			"blk.6.attn_v.weight": tensor.Q6_K, "blk.7.attn_v.weight": tensor.Q6_K,
			"blk.0.ffn_down.weight": tensor.Q6_K, "blk.1.ffn_down.weight": tensor.Q4_K, "blk.3.ffn_down.weight": tensor.Q6_K,
			"blk.7.ffn_down.weight": tensor.Q6_K, "blk.5.attn_q.weight": tensor.Q4_K, "blk.5.ffn_up.weight": tensor.Q4_K,
		}},
		{"Q4_K", k8, 8, map[string]tensor.Type{ // pure: no per-tensor rules
			"token_embd.weight": tensor.Q4_K, "blk.0.attn_v.weight": tensor.Q4_K, "blk.7.ffn_down.weight": tensor.Q4_K,
		}},
		{"Q5_K", stories, 5, map[string]tensor.Type{
			"token_embd.weight": tensor.Q5_1, "output.weight": tensor.Q5_1, "blk.0.ffn_down.weight": tensor.F16,
		}},
		{"Q6_K", k8, 8, map[string]tensor.Type{
			"token_embd.weight": tensor.Q6_K, "blk.1.attn_v.weight": tensor.Q6_K, "output_norm.weight": tensor.F32,
		}},
		{"Q6_K", stories, 5, map[string]tensor.Type{
			"output.weight": tensor.Q8_0, "blk.0.attn_q.weight": tensor.Q8_0, "blk.0.ffn_down.weight": tensor.F16,
		}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d-layers", tc.target, tc.layers), func(t *testing.T) {
			got := plan(t, tc.target, tc.srcs, tc.layers)
			for name, want := range tc.want {
				if got[name] != want {
					t.Errorf("%s: %v, want %v", name, got[name], want)
				}
			}
		})
	}
}

func TestUseMoreBits(t *testing.T) {
	// llama.cpp's Q4_K_M layers with Q6_K attn_v/ffn_down for 30 layers
	// (SmolLM2-135M): the first and last eighth and every third between.
	var got []int
	for l := range 30 {
		if useMoreBits(l, 30) {
			got = append(got, l)
		}
	}
	want := "[0 1 2 5 8 11 14 17 20 23 26 27 28 29]"
	if fmt.Sprint(got) != want {
		t.Fatalf("useMoreBits(·, 30) holds for %v, want %s", got, want)
	}
}

func TestSortLikeLlamaCpp(t *testing.T) {
	srcs := []source{{name: "blk.10.attn_q.weight"}, {name: "output.weight"}, {name: "blk.2.ffn_up.weight"},
		{name: "blk.2.attn_k.weight"}, {name: "token_embd.weight"}, {name: "blk.1.attn_q.weight"}}
	sortLikeLlamaCpp(srcs)
	var got []string
	for _, s := range srcs {
		got = append(got, s.name)
	}
	want := "[output.weight token_embd.weight blk.1.attn_q.weight blk.2.attn_k.weight blk.2.ffn_up.weight blk.10.attn_q.weight]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}
