package wazero_test

import (
	"context"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/host/wazero"
	"github.com/wisp-llm/wisp/wasm/abi"
)

func TestTiming(t *testing.T) {
	for _, rt := range []string{"/work/main/build/wasip1/runtime.wasm", "/work/main/build/wasip1/runtime-nosimd.wasm"} {
		for _, m := range []string{"/tmp/wispmodels/smollm2-q8_0.gguf", "/tmp/wispmodels/smollm2-q4_0.gguf"} {
			t0 := time.Now()
			e, err := wazero.Open(m, wazero.Options{Runtime: rt, Context: 128})
			if err != nil {
				t.Fatal(err)
			}
			open := time.Since(t0)
			var times []time.Time
			_, err = e.Generate(context.Background(), abi.GenerateRequest{Text: "Once upon a time", MaxTokens: 24}, func(abi.Delta) error { times = append(times, time.Now()); return nil })
			if err != nil {
				t.Fatal(err)
			}
			dec := times[len(times)-1].Sub(times[0]).Seconds() / float64(len(times)-1)
			t.Logf("%s %s: open %v, decode %.2f tok/s", rt[len(rt)-22:], m[14:], open, 1/dec)
			e.Close()
		}
	}
}
