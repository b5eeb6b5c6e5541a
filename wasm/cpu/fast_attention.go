package cpu

import (
	"math"
	"sync/atomic"

	"github.com/wisp-llm/wisp/wasm/cpu/simd"
	"github.com/wisp-llm/wisp/wasm/model"
)

// fastKV is the reference cache layout with one score buffer per thread, so
// that heads can be attended to in parallel.
type fastKV struct {
	kvCache
	scores [][]float32 // [thread][position]
}

// attentionTask runs causal attention for every (row, head) pair; threads
// take pairs from a counter. Each pair is computed as in the reference:
// scores q·k scaled, softmax, then the weighted sum of values in position
// order.
type attentionTask struct {
	out, q                  *model.Act
	c                       *fastKV
	layer, pos              int
	heads, kvHeads, headDim int
	next                    atomic.Int64
}

func (t *attentionTask) run(thread int) {
	c, hd := t.c, t.headDim
	group := t.heads / t.kvHeads
	scale := float32(1 / math.Sqrt(float64(hd)))
	scores := t.c.scores[thread]
	for {
		item := int(t.next.Add(1)) - 1
		if item >= t.q.Rows*t.heads {
			return
		}
		r, h := item/t.heads, item%t.heads
		last := t.pos + r
		qh := row(t.q, r)[h*hd : (h+1)*hd]
		// The layer's keys and values for this head, one position every
		// kvDim elements.
		off := t.layer*c.positions*c.kvDim + (h/group)*hd
		simd.DotsF32(scores[:last+1], c.k[off:], c.kvDim, qh, scale)
		simd.Softmax(scores[:last+1])
		oh := row(t.out, r)[h*hd : (h+1)*hd]
		clear(oh)
		simd.AxpyRows(oh, scores[:last+1], c.v[off:], c.kvDim)
	}
}
