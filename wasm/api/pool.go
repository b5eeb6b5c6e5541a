package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrQueueFull is returned by Pool.Acquire when every session is busy and
// the queue holds as many waiting requests as it may.
var ErrQueueFull = errors.New("api: all sessions busy and the queue is full")

// Pool holds up to Parallel sessions, each with its own KV cache, and
// hands them to requests: up to Parallel decode at once, up to Queue more
// wait, and the rest are refused at once. A request gets the free session
// whose cache shares the longest prefix with its prompt, so a chat that
// continues reuses its earlier prefill.
type Pool struct {
	eng      Engine
	ctx      int
	slots    chan struct{} // one token per busy session
	admitted atomic.Int64  // busy + waiting
	limit    int64         // parallel + queue
	served   atomic.Int64
	given    atomic.Int64 // requests whose callers gave up (client gone)

	mu      sync.Mutex
	free    []*pooled
	created int
}

type pooled struct {
	s      Session
	tokens []int32 // what the cache was last filled with (prompt and output)
}

// Lease is a session held by one request; Release returns it.
type Lease struct {
	p        *Pool
	ps       *pooled
	released bool
}

// NewPool makes a pool of parallel sessions of ctx tokens each (created
// when first needed), with room for queue waiting requests.
func NewPool(e Engine, parallel, queue, ctx int) (*Pool, error) {
	if parallel < 1 {
		return nil, fmt.Errorf("api: parallel must be at least 1, got %d", parallel)
	}
	if queue < 0 {
		return nil, fmt.Errorf("api: queue must not be negative, got %d", queue)
	}
	if ctx <= 0 {
		ctx = min(e.MaxContext(), 4096)
	}
	if ctx > e.MaxContext() {
		return nil, fmt.Errorf("api: context %d exceeds the model's %d", ctx, e.MaxContext())
	}
	return &Pool{eng: e, ctx: ctx, slots: make(chan struct{}, parallel), limit: int64(parallel + queue)}, nil
}

// Context is each session's capacity in tokens.
func (p *Pool) Context() int { return p.ctx }

// Parallel is how many sessions may decode at once.
func (p *Pool) Parallel() int { return cap(p.slots) }

// Load reports how many requests hold a session and how many wait.
func (p *Pool) Load() (busy, waiting int) {
	busy = len(p.slots)
	waiting = max(int(p.admitted.Load())-busy, 0)
	return busy, waiting
}

// Served is how many leases have been released.
func (p *Pool) Served() int64 { return p.served.Load() }

// Abandoned is how many requests ended because their caller gave up,
// waiting or decoding.
func (p *Pool) Abandoned() int64 { return p.given.Load() }

// Acquire waits for a free session, ErrQueueFull when too many wait
// already, or ctx's error when the caller gives up first.
func (p *Pool) Acquire(ctx context.Context, prompt []int32) (*Lease, error) {
	if p.admitted.Add(1) > p.limit {
		p.admitted.Add(-1)
		return nil, ErrQueueFull
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		p.admitted.Add(-1)
		p.given.Add(1)
		return nil, ctx.Err()
	}
	ps, err := p.take(prompt)
	if err != nil {
		<-p.slots
		p.admitted.Add(-1)
		return nil, err
	}
	return &Lease{p: p, ps: ps}, nil
}

// take picks the free session sharing the longest prefix with prompt, or
// creates one. Holding a slot guarantees one is free or may be created.
func (p *Pool) take(prompt []int32) (*pooled, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	best, bestLen := -1, -1
	for i, ps := range p.free {
		if n := commonPrefix(ps.tokens, prompt); n > bestLen {
			best, bestLen = i, n
		}
	}
	// A fresh session beats a used one that shares nothing: it keeps the
	// used one's cache for the conversation that filled it.
	if best >= 0 && (bestLen > 0 || p.created == cap(p.slots)) {
		ps := p.free[best]
		p.free = append(p.free[:best], p.free[best+1:]...)
		return ps, nil
	}
	s, err := p.eng.NewSession(p.ctx)
	if err != nil {
		return nil, fmt.Errorf("api: new session: %w", err)
	}
	p.created++
	return &pooled{s: s}, nil
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Session is the leased session.
func (l *Lease) Session() Session { return l.ps.s }

// Release returns the session; tokens is what its cache now holds (the
// prompt and the generated tokens), used to place later requests. Calling
// Release again does nothing.
func (l *Lease) Release(tokens []int32) {
	if l.released {
		return
	}
	l.released = true
	l.ps.tokens = append(l.ps.tokens[:0], tokens...)
	l.p.mu.Lock()
	l.p.free = append(l.p.free, l.ps)
	l.p.mu.Unlock()
	<-l.p.slots
	l.p.admitted.Add(-1)
	l.p.served.Add(1)
}
