package engine

import (
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/model"
)

func TestFitContext(t *testing.T) {
	c := model.Config{Dim: 576, Layers: 30, Heads: 9, KVHeads: 3, HeadDim: 64, FFN: 1536, Vocab: 49152}
	perPos := kvBytesPerPosition(c) // 30 layers × 192 × 2 × 4 = 46080 bytes
	if perPos != 46080 {
		t.Fatalf("KV bytes per position %d", perPos)
	}
	const file = 90 << 20
	got, err := FitContext(c, file, 2048, 64, 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got <= 64 || got >= 2048 {
		t.Fatalf("context %d: want capped between 64 and 2048 by the 128 MiB budget", got)
	}
	if need := MemoryNeed(c, file, got); need > 128<<20 {
		t.Fatalf("fitted context %d needs %d bytes, over budget", got, need)
	}
	if got, err := FitContext(c, 1<<20, 2048, 64, 128<<20); err != nil || got != 2048 {
		t.Fatalf("small model: context %d, %v", got, err)
	}
	_, err = FitContext(c, 200<<20, 2048, 64, 128<<20)
	if err == nil || !strings.Contains(err.Error(), "memory budget is 128.0 MiB") {
		t.Fatalf("over-budget model: %v", err)
	}
}
