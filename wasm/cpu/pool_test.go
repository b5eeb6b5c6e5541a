package cpu

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// countTask records which threads ran it.
type countTask struct {
	calls [8]atomic.Int32
}

func (t *countTask) run(thread int) { t.calls[thread].Add(1) }

func TestPoolRunsEveryThreadOnce(t *testing.T) {
	for _, threads := range []int{1, 2, 5} {
		p := newPool(threads)
		var task countTask
		for i := range 200 {
			p.run(&task)
			if i == 100 {
				// Let the workers park, so that waking them is tested too.
				time.Sleep(3 * spinTime)
			}
		}
		for th := range threads {
			if n := task.calls[th].Load(); n != 200 {
				t.Errorf("%d threads: thread %d ran %d times, want 200", threads, th, n)
			}
		}
		p.close()
	}
}

func TestFastCloseStopsWorkers(t *testing.T) {
	f := NewFast(6)
	f.Close()
	var task countTask
	f.pool.run(&task) // a closed pool runs every share on the caller
	for th := range 6 {
		if n := task.calls[th].Load(); n != 1 {
			t.Errorf("after Close: thread %d's share ran %d times", th, n)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.pool.live.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers still running after Close", f.pool.live.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

func TestPoolDispatchDoesNotAllocate(t *testing.T) {
	p := newPool(3)
	defer p.close()
	var task countTask
	if n := testing.AllocsPerRun(100, func() { p.run(&task) }); n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

// BenchmarkPoolRun is the cost of one parallel operation that does nothing:
// publishing it, the workers noticing, and waiting for them.
func BenchmarkPoolRun(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			p := newPool(threads)
			defer p.close()
			var task countTask
			b.ReportAllocs()
			for b.Loop() {
				p.run(&task)
			}
		})
	}
}
