package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// task is one parallel operation. run is called once by every thread of the
// pool with its index (0 is the calling goroutine); the task splits its work
// among them, typically by taking chunks from an atomic counter.
type task interface {
	run(thread int)
}

// pool is a fixed set of long-lived worker goroutines. An operation is
// published by storing the task and bumping a generation counter; workers
// spin on the counter for a short while (decoding issues hundreds of
// operations per token, microseconds apart), then park on a condition
// variable. Nothing here allocates per operation.
type pool struct {
	threads int
	gen     atomic.Uint64
	pending atomic.Int32 // workers still running the current task
	task    task         // written before gen is bumped

	mu     sync.Mutex
	wake   sync.Cond
	closed atomic.Bool
	live   atomic.Int32 // worker goroutines running, for tests
}

// spinTime is how long an idle worker polls before parking. It covers the
// gap between the operations of one forward pass, not the gap between
// requests.
const spinTime = 200 * time.Microsecond

func newPool(threads int) *pool {
	p := &pool{threads: threads}
	p.wake.L = &p.mu
	p.live.Store(int32(threads - 1))
	for i := 1; i < threads; i++ {
		go p.worker(i)
	}
	return p
}

func (p *pool) worker(thread int) {
	defer p.live.Add(-1)
	var seen uint64
	for {
		seen = p.await(seen)
		if seen == 0 {
			return
		}
		p.task.run(thread)
		p.pending.Add(-1)
	}
}

// await waits for a generation after seen and returns it, or 0 once the
// pool is closed.
func (p *pool) await(seen uint64) uint64 {
	var start time.Time
	for i := 0; ; i++ {
		if g := p.gen.Load(); g != seen {
			return g
		}
		if i&63 != 63 {
			continue
		}
		if start.IsZero() {
			start = time.Now()
		} else if time.Since(start) > spinTime {
			break
		}
		runtime.Gosched()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.gen.Load() == seen && !p.closed.Load() {
		p.wake.Wait()
	}
	if p.closed.Load() {
		return 0
	}
	return p.gen.Load()
}

// run executes t on every thread and returns when all have finished. On a
// closed pool the calling goroutine runs every thread's share itself.
func (p *pool) run(t task) {
	if p.threads == 1 || p.closed.Load() {
		for i := range p.threads {
			t.run(i)
		}
		return
	}
	p.task = t
	p.pending.Store(int32(p.threads - 1))
	p.mu.Lock()
	p.gen.Add(1)
	p.mu.Unlock()
	p.wake.Broadcast()
	t.run(0)
	for i := 0; p.pending.Load() != 0; i++ {
		if i&63 == 63 {
			runtime.Gosched()
		}
	}
	p.task = nil
}

// runSmall is run for operations too small to be worth waking the
// workers: a task's shares are taken from a counter, so thread 0 alone
// does all of them.
func (p *pool) runSmall(t task, work int) {
	if work < minParallelWork {
		t.run(0)
		return
	}
	p.run(t)
}

// minParallelWork is the size of an operation, in multiply-adds, below
// which waking the workers (microseconds) costs more than it saves.
const minParallelWork = 32 << 10

// close stops the workers; the pool must be idle.
func (p *pool) close() {
	p.mu.Lock()
	p.closed.Store(true)
	p.mu.Unlock()
	p.wake.Broadcast()
}
