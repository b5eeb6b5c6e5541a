package webgpu

import (
	"embed"
	"fmt"
	"strings"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

//go:embed wgsl/*.wgsl
var shaderFiles embed.FS

// op is one kind of compute kernel.
type op uint8

const (
	opMatVec op = iota + 1
	opMatMul
	opEmbed
	opRMSNorm
	opRoPE
	opAttention
	opSwiGLU
	opAdd
	opTopK
	opCopy
)

var opFiles = map[op]string{
	opMatVec:    "matvec.wgsl",
	opMatMul:    "matmul.wgsl",
	opEmbed:     "embed.wgsl",
	opRMSNorm:   "rmsnorm.wgsl",
	opRoPE:      "rope.wgsl",
	opAttention: "attention.wgsl",
	opSwiGLU:    "swiglu.wgsl",
	opAdd:       "add.wgsl",
	opTopK:      "topk.wgsl",
	opCopy:      "copy.wgsl",
}

func (o op) String() string { return strings.TrimSuffix(opFiles[o], ".wgsl") }

// readsWeights reports whether o dequantizes a weight buffer, and so is
// compiled once per weight type.
func (o op) readsWeights() bool { return o == opMatVec || o == opMatMul || o == opEmbed }

// hasSubgroupVariant reports whether o has a variant built on subgroup
// operations.
func (o op) hasSubgroupVariant() bool { return o == opMatVec || o == opRMSNorm || o == opAttention }

// hasF16Variant reports whether o has a variant doing its arithmetic in
// f16, for adapters with shader-f16: the matrix products, which dominate a
// forward pass.
func (o op) hasF16Variant() bool { return o == opMatVec || o == opMatMul }

// reduces reports whether o uses the workgroup reductions of
// reduce_shared.wgsl or reduce_subgroup.wgsl.
func (o op) reduces() bool { return o == opRMSNorm || o == opAttention }

// weightFiles names the dequantize function of each weight type the
// shaders read.
var weightFiles = map[tensor.Type]string{
	tensor.F32:  "type_f32.wgsl",
	tensor.F16:  "type_f16.wgsl",
	tensor.Q8_0: "type_q8_0.wgsl",
	tensor.Q4_0: "type_q4_0.wgsl",
	tensor.Q4_K: "type_q4_k.wgsl",
	tensor.Q6_K: "type_q6_k.wgsl",
}

// SupportsType reports whether the shaders can read weights of type t.
func SupportsType(t tensor.Type) bool { _, ok := weightFiles[t]; return ok }

// pipelineKey is every choice that makes one compute pipeline: a map key
// as it stands.
type pipelineKey struct {
	op        op
	weight    tensor.Type // for ops that read weights; F32 otherwise
	subgroups bool        // reductions with subgroup operations
	f16       bool        // f16 arithmetic (matrix products; adapters with shader-f16)
}

func (k pipelineKey) String() string {
	s := k.op.String()
	if k.op.readsWeights() {
		s += "/" + k.weight.String()
	}
	if k.subgroups {
		s += "/subgroups"
	}
	if k.f16 {
		s += "/f16"
	}
	return s
}

// Workgroup sizes, passed to the shaders' override constants. Reductions
// need powers of two.
const (
	wgRows     = 64  // matvec, rmsnorm, attention: invocations per row or head
	wgElems    = 64  // element-wise kernels
	wgTopK     = 256 // one workgroup scans the whole row
	matmulTile = 16  // matmul: TILE×TILE invocations, TILE×TILE outputs
	// maxHeadDim is the attention kernel's workgroup buffer for one query.
	maxHeadDim = 256
)

// constants are the override values of k's pipeline; minSubgroup is the
// adapter's smallest subgroup size.
func (k pipelineKey) constants(minSubgroup int) map[string]int {
	switch {
	case k.op == opMatMul:
		return map[string]int{"TILE": matmulTile}
	case k.op == opTopK:
		return map[string]int{"WG": wgTopK}
	case k.op == opMatVec && k.subgroups:
		return map[string]int{"WG": wgRows, "ROWS": subgroupRows(minSubgroup)}
	case k.op == opMatVec, k.op == opRMSNorm, k.op == opAttention:
		return map[string]int{"WG": wgRows}
	}
	return map[string]int{"WG": wgElems}
}

// subgroupRows is how many rows a workgroup of the subgroup matrix-vector
// kernel covers: one per subgroup when subgroups are as small as the
// adapter allows.
func subgroupRows(minSubgroup int) int {
	if minSubgroup < 1 || minSubgroup > wgRows {
		minSubgroup = 4 // WebGPU's smallest allowed subgroup size
	}
	return wgRows / minSubgroup
}

// source assembles k's WGSL module from its pieces: the multiplication
// precision or the reduction helpers, the operation, the weight readers.
// Each piece names the extensions it needs; WGSL wants every directive
// before the first declaration, so they are gathered at the top.
func (k pipelineKey) source() (string, error) {
	main, ok := opFiles[k.op]
	if !ok {
		return "", fmt.Errorf("webgpu: unknown kernel %d", k.op)
	}
	if k.subgroups && !k.op.hasSubgroupVariant() {
		return "", fmt.Errorf("webgpu: kernel %s has no subgroup variant", k.op)
	}
	if k.f16 && !k.op.hasF16Variant() {
		return "", fmt.Errorf("webgpu: kernel %s has no f16 variant", k.op)
	}
	var files []string
	switch {
	case k.op == opMatVec, k.op == opMatMul:
		files = append(files, "product_f32.wgsl")
		if k.f16 {
			files[0] = "product_f16.wgsl"
		}
		if k.op == opMatVec && k.subgroups {
			main = "matvec_subgroup.wgsl"
		}
	case k.op.reduces() && k.subgroups:
		files = append(files, "reduce_subgroup.wgsl")
	case k.op.reduces():
		files = append(files, "reduce_shared.wgsl")
	}
	files = append(files, main)
	if k.op.readsWeights() {
		wf, ok := weightFiles[k.weight]
		if !ok {
			return "", fmt.Errorf("webgpu: kernel %s cannot read %s weights", k.op, k.weight)
		}
		files = append(files, "weights.wgsl", wf)
	}
	var directives, body strings.Builder
	for _, f := range files {
		src, err := shaderFiles.ReadFile("wgsl/" + f)
		if err != nil {
			return "", fmt.Errorf("webgpu: %w", err)
		}
		fmt.Fprintf(&body, "// ---- %s\n", f)
		for line := range strings.Lines(string(src)) {
			if isDirective(line) {
				directives.WriteString(line)
			} else {
				body.WriteString(line)
			}
		}
	}
	return directives.String() + body.String(), nil
}

// isDirective reports whether a line of WGSL is a global directive
// (enable, requires, diagnostic), which must precede every declaration.
func isDirective(line string) bool {
	for _, d := range []string{"enable ", "requires ", "diagnostic("} {
		if strings.HasPrefix(line, d) {
			return true
		}
	}
	return false
}

// allKeys lists every pipeline a device with the given features can build,
// for compiling them all up front in tests.
func allKeys(subgroups, f16 bool) []pipelineKey {
	var variants []pipelineKey
	for o := opMatVec; o <= opCopy; o++ {
		variants = append(variants, pipelineKey{op: o})
		if subgroups && o.hasSubgroupVariant() {
			variants = append(variants, pipelineKey{op: o, subgroups: true})
		}
		if f16 && o.hasF16Variant() {
			variants = append(variants, pipelineKey{op: o, f16: true})
			if subgroups && o.hasSubgroupVariant() {
				variants = append(variants, pipelineKey{op: o, subgroups: true, f16: true})
			}
		}
	}
	var keys []pipelineKey
	for _, k := range variants {
		if !k.op.readsWeights() {
			k.weight = tensor.F32
			keys = append(keys, k)
			continue
		}
		for _, t := range weightTypes {
			k.weight = t
			keys = append(keys, k)
		}
	}
	return keys
}

// Variant is one pipeline variant and whether a device builds it.
type Variant struct {
	Kernel string `json:"kernel"`
	// Missing names what the device lacks to build it ("shader-f16",
	// "subgroups", or an option that was not asked for); "" when it builds.
	Missing string `json:"missing,omitempty"`
}

// variants lists every pipeline variant there is, marking those a device
// with the given features and options does not build. subgroupsLack is
// what the adapter lacks for the subgroup kernels, "" when nothing.
func variants(subgroupsLack string, useSubgroups, hasF16, useF16 bool) []Variant {
	built := map[pipelineKey]bool{}
	for _, k := range allKeys(useSubgroups, useF16) {
		built[k] = true
	}
	var out []Variant
	for _, k := range allKeys(true, true) {
		v := Variant{Kernel: k.String()}
		switch {
		case built[k]:
		case k.f16 && !hasF16:
			v.Missing = "shader-f16"
		case k.subgroups && subgroupsLack != "":
			v.Missing = subgroupsLack
		case k.f16 && !useF16:
			v.Missing = "Options.ShaderF16 not set"
		default:
			v.Missing = "Options.NoSubgroups set"
		}
		out = append(out, v)
	}
	return out
}

// weightTypes lists the readable weight types in a fixed order.
var weightTypes = []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0, tensor.Q4_K, tensor.Q6_K}

// WeightTypes lists the weight types the shaders read.
func WeightTypes() []tensor.Type { return append([]tensor.Type(nil), weightTypes...) }
