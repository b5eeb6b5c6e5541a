package engine

import (
	"fmt"

	"github.com/wisp-llm/wisp/wasm/model"
)

// runtimeOverhead is what a host process needs besides the model: the Go
// runtime, the program, the tokenizer's tables and heap slack.
const runtimeOverhead = 24 << 20

// MemoryNeed estimates the bytes a model takes in memory with one session
// of ctx positions: the file's bytes (weights are used in place), the KV
// cache, activations for a prefill batch, and runtime overhead.
func MemoryNeed(c model.Config, fileBytes int64, ctx int) int64 {
	return fileBytes + runtimeOverhead + sessionBytes(c, ctx)
}

func kvBytesPerPosition(c model.Config) int64 {
	return int64(c.Layers) * int64(c.KVHeads*c.HeadDim) * 2 * 4
}

func sessionBytes(c model.Config, ctx int) int64 {
	qDim, kvDim := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	perRow := int64(3*c.Dim+2*qDim+2*kvDim+2*c.FFN) * 4
	return int64(ctx)*kvBytesPerPosition(c) + PrefillBatch*perRow + int64(c.Vocab+c.Dim)*4*2
}

// FitContext returns the largest context, at most want, that keeps the
// model within budget bytes, or an error saying how much is missing when
// not even minCtx positions fit.
func FitContext(c model.Config, fileBytes int64, want, minCtx int, budget int64) (int, error) {
	fixed := fileBytes + runtimeOverhead + sessionBytes(c, 0)
	perPos := kvBytesPerPosition(c)
	if perPos <= 0 {
		return 0, fmt.Errorf("engine: model config has no KV cache size")
	}
	room := (budget - fixed) / perPos
	if room < int64(minCtx) {
		need := fixed + int64(minCtx)*perPos
		return 0, fmt.Errorf("engine: the model needs %.1f MiB (weights %.1f MiB, a %d-token KV cache %.1f MiB, runtime %d MiB) but the memory budget is %.1f MiB",
			mib(need), mib(fileBytes), minCtx, mib(int64(minCtx)*perPos), runtimeOverhead>>20, mib(budget))
	}
	return int(min(room, int64(want))), nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
