package webgpu

import (
	"regexp"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Every pipeline's WGSL assembles, opens with its enable directive when it
// has one, and defines what its kernel uses. (The GPU compiles them all in
// scripts/webgpu/test.sh.)
func TestEveryPipelineSourceAssembles(t *testing.T) {
	keys := allKeys(true, true)
	if len(keys) < 25 {
		t.Fatalf("only %d pipelines", len(keys))
	}
	seen := map[pipelineKey]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Errorf("%s listed twice", k)
		}
		seen[k] = true
		src, err := k.source()
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		code := stripComments(src)
		if strings.Contains(code, "enable ") && !strings.HasPrefix(strings.TrimSpace(code), "enable ") {
			t.Errorf("%s: an enable directive follows declarations", k)
		}
		if k.subgroups != strings.Contains(code, "enable subgroups;") {
			t.Errorf("%s: subgroups=%v but the source says otherwise", k, k.subgroups)
		}
		if k.f16 != strings.Contains(code, "enable f16;") {
			t.Errorf("%s: f16=%v but the source says otherwise", k, k.f16)
		}
		if !strings.Contains(code, "fn main(") {
			t.Errorf("%s: no entry point", k)
		}
		for name := range k.constants(4) {
			if !regexp.MustCompile(`override\s+` + name + `\b`).MatchString(code) {
				t.Errorf("%s: constant %s is not an override of the shader", k, name)
			}
		}
		if k.op.readsWeights() && strings.Count(code, "fn dequant(") != 1 {
			t.Errorf("%s: want exactly one dequant function", k)
		}
	}
}

func stripComments(src string) string {
	return regexp.MustCompile(`//[^\n]*`).ReplaceAllString(src, "")
}

func TestSourceRejectsUnknownChoices(t *testing.T) {
	for _, k := range []pipelineKey{
		{op: opMatVec, weight: tensor.Q5_K},
		{op: opAdd, weight: tensor.F32, subgroups: true},
		{op: opAdd, weight: tensor.F32, f16: true},
		{op: opRMSNorm, weight: tensor.F32, f16: true},
		{op: 0},
	} {
		if _, err := k.source(); err == nil {
			t.Errorf("%+v: no error", k)
		}
	}
}

func TestSubgroupRows(t *testing.T) {
	for _, tt := range []struct{ minSize, want int }{
		{4, 16}, {32, 2}, {64, 1}, {0, 16}, {128, 16},
	} {
		if got := subgroupRows(tt.minSize); got != tt.want {
			t.Errorf("subgroupRows(%d) = %d, want %d", tt.minSize, got, tt.want)
		}
	}
}

func TestVariantsNameWhatIsMissing(t *testing.T) {
	count := func(vs []Variant) map[string]int {
		m := map[string]int{}
		for _, v := range vs {
			m[v.Missing]++
		}
		return m
	}
	all := len(allKeys(true, true))
	for _, c := range []struct {
		name                                string
		subLack                             string
		useSub, hasF16, useF16              bool
		built, noF16, noSub, f16Off, subOff int
	}{
		{"everything", "", true, true, true, all, 0, 0, 0, 0},
		// SwiftShader: subgroups, no f16.
		{"no f16", "", true, false, false, len(allKeys(true, false)), all - len(allKeys(true, false)), 0, 0, 0},
		{"f16 not asked", "", true, true, false, len(allKeys(true, false)), 0, 0, all - len(allKeys(true, false)), 0},
		{"nothing", "subgroups", false, false, false, len(allKeys(false, false)), all - len(allKeys(true, false)), len(allKeys(true, false)) - len(allKeys(false, false)), 0, 0},
		{"subgroups turned off", "", false, false, false, len(allKeys(false, false)), all - len(allKeys(true, false)), 0, 0, len(allKeys(true, false)) - len(allKeys(false, false))},
	} {
		vs := variants(c.subLack, c.useSub, c.hasF16, c.useF16)
		if len(vs) != all {
			t.Errorf("%s: %d variants, want %d", c.name, len(vs), all)
		}
		got := count(vs)
		want := map[string]int{"": c.built, "shader-f16": c.noF16, "subgroups": c.noSub, "Options.ShaderF16 not set": c.f16Off, "Options.NoSubgroups set": c.subOff}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %d variants marked %q, want %d", c.name, got[k], k, n)
			}
		}
	}
}

// Every type the shaders read has a reference kernel to be checked against.
func TestWeightTypesHaveReferenceKernels(t *testing.T) {
	for _, ty := range WeightTypes() {
		if !tensor.CanDequantize(ty) || !SupportsType(ty) {
			t.Errorf("%s: reference %v, shader %v", ty, tensor.CanDequantize(ty), SupportsType(ty))
		}
	}
}
