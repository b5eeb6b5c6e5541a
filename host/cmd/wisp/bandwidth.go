package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/wisp-llm/wisp/wasm/gguf"
	"github.com/wisp-llm/wisp/wasm/model"
)

// bandwidthResult is what `wisp bench --bandwidth --json` prints. With a
// model, it adds the bytes of weights one decoded token reads and the
// decode speed that the bandwidth allows at best.
type bandwidthResult struct {
	Runtime        string  `json:"runtime"` // "bandwidth"
	GBps           float64 `json:"gbps"`
	Threads        int     `json:"threads"`
	Model          string  `json:"model,omitempty"`
	BytesPerToken  int64   `json:"bytes_per_token,omitempty"`
	DecodeLimitTPS float64 `json:"decode_limit_tps,omitempty"`
}

func runBandwidth(stdout io.Writer, modelPath string, threads, reps, mib int, asJSON bool) error {
	if mib < 1 {
		return errors.New("--bandwidth-mib must be >= 1")
	}
	res := bandwidthResult{Runtime: "bandwidth", Threads: threads}
	if modelPath != "" {
		n, err := weightBytesPerToken(modelPath)
		if err != nil {
			return err
		}
		res.Model, res.BytesPerToken = modelPath, n
	}
	res.GBps = measureBandwidth(mib<<20, threads, reps)
	if res.BytesPerToken > 0 {
		res.DecodeLimitTPS = res.GBps * 1e9 / float64(res.BytesPerToken)
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	fmt.Fprintf(stdout, "memory bandwidth  %.2f GB/s  (streaming read of %d MiB, threads: %d, best of %d)\n", res.GBps, mib, threads, reps)
	if res.BytesPerToken > 0 {
		fmt.Fprintf(stdout, "weights per token %.1f MiB  →  decode limit %.1f tok/s\n", float64(res.BytesPerToken)/(1<<20), res.DecodeLimitTPS)
	}
	return nil
}

// measureBandwidth streams through a buffer of size bytes with threads
// goroutines, each summing its own slice, and returns the best of reps
// passes in GB/s (10⁹ bytes). The buffer is written first so that every
// page is backed by memory rather than the shared zero page.
func measureBandwidth(size, threads, reps int) float64 {
	buf := make([]uint64, size/8)
	for i := range buf {
		buf[i] = uint64(i)
	}
	chunk := (len(buf) + threads - 1) / threads
	best := 0.0
	var sink uint64
	for range reps + 1 { // the first pass warms the TLB and caches
		sums := make([]uint64, threads)
		var wg sync.WaitGroup
		start := time.Now()
		for t := range threads {
			lo, hi := min(t*chunk, len(buf)), min((t+1)*chunk, len(buf))
			wg.Add(1)
			go func() {
				defer wg.Done()
				sums[t] = sumWords(buf[lo:hi])
			}()
		}
		wg.Wait()
		gbps := float64(len(buf)*8) / time.Since(start).Seconds() / 1e9
		best = max(best, gbps)
		for _, s := range sums {
			sink += s
		}
	}
	bandwidthSink = sink
	return best
}

// bandwidthSink keeps the sums alive so the reads cannot be optimised away.
var bandwidthSink uint64

// sumWords adds the words of b with four independent accumulators, so the
// loop is limited by loads rather than by one chain of additions.
func sumWords(b []uint64) uint64 {
	var s0, s1, s2, s3 uint64
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := b[i : i+8 : i+8]
		s0 += w[0] + w[4]
		s1 += w[1] + w[5]
		s2 += w[2] + w[6]
		s3 += w[3] + w[7]
	}
	for ; i < len(b); i++ {
		s0 += b[i]
	}
	return s0 + s1 + s2 + s3
}

// weightBytesPerToken is how many bytes of weights one decode step reads:
// every matrix and vector once, but only one row of the token embedding,
// unless the output projection is the embedding itself (then all of it).
func weightBytesPerToken(path string) (int64, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	cfg, err := model.ReadConfig(f)
	if err != nil {
		return 0, err
	}
	w, err := model.BindWeights(f, &cfg)
	if err != nil {
		return 0, err
	}
	seen := map[*model.Weight]bool{}
	var total int64
	for _, t := range w.All() {
		if t == nil || seen[t] {
			continue
		}
		seen[t] = true
		total += int64(len(t.Data))
	}
	if w.Output != w.TokenEmbd && w.TokenEmbd.Rows > 0 {
		embd := int64(len(w.TokenEmbd.Data))
		total -= embd - embd/int64(w.TokenEmbd.Rows)
	}
	return total, nil
}
