package api

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/wisp-llm/wisp/tokenizer"
	"github.com/wisp-llm/wisp/tokenizer/chat"
	"github.com/wisp-llm/wisp/wasm/engine"
)

// fakeEngine makes numbered sessions and needs no model.
type fakeEngine struct{ made int }

type fakeSession struct{ n int }

func (e *fakeEngine) Name() string                   { return "fake" }
func (e *fakeEngine) MaxContext() int                { return 128 }
func (e *fakeEngine) Tokenizer() tokenizer.Tokenizer { return nil }
func (e *fakeEngine) ChatPrompt([]chat.Message, []json.RawMessage) ([]int32, error) {
	return nil, errors.New("not used")
}
func (e *fakeEngine) NewSession(int) (Session, error) {
	e.made++
	return &fakeSession{n: e.made}, nil
}
func (s *fakeSession) Context() int { return 128 }
func (s *fakeSession) Generate(context.Context, engine.Request, func(engine.Delta) error) (engine.Result, error) {
	return engine.Result{}, nil
}

func TestPoolQueueAndCancel(t *testing.T) {
	p, err := NewPool(&fakeEngine{}, 2, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := p.Acquire(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Acquire(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A third request waits; a fourth finds the queue full.
	waited := make(chan *Lease)
	go func() {
		l, err := p.Acquire(ctx, nil)
		if err != nil {
			t.Error(err)
		}
		waited <- l
	}()
	for _, w := p.Load(); w != 1; _, w = p.Load() {
		time.Sleep(time.Millisecond)
	}
	if _, err := p.Acquire(ctx, nil); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("fourth Acquire: %v, want ErrQueueFull", err)
	}
	a.Release([]int32{1, 2, 3})
	a.Release(nil) // twice is harmless
	c := <-waited
	if c.Session() != a.Session() {
		t.Error("the waiting request did not get the freed session")
	}
	// A request that gives up while queued leaves no trace.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := p.Acquire(short, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire with an expiring context: %v", err)
	}
	b.Release(nil)
	c.Release(nil)
	if busy, waiting := p.Load(); busy != 0 || waiting != 0 || p.Served() != 3 {
		t.Errorf("load %d busy %d waiting, %d served", busy, waiting, p.Served())
	}
}

func TestPoolPrefersCachedPrefix(t *testing.T) {
	e := &fakeEngine{}
	p, err := NewPool(e, 3, 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	x, _ := p.Acquire(ctx, []int32{1, 5})
	y, _ := p.Acquire(ctx, []int32{1, 7})
	x.Release([]int32{1, 5, 6, 9})
	y.Release([]int32{1, 7, 8})
	// The conversation that continues gets its own cache back.
	l, _ := p.Acquire(ctx, []int32{1, 7, 8, 2})
	if l.Session() != y.Session() {
		t.Errorf("got session %d, want %d", l.Session().(*fakeSession).n, y.Session().(*fakeSession).n)
	}
	// A new conversation gets a fresh session while one may be made,
	// rather than overwrite a cache another conversation may continue.
	n, _ := p.Acquire(ctx, []int32{3})
	if n.Session() == x.Session() || e.made != 3 {
		t.Errorf("made %d sessions; new conversation got %d", e.made, n.Session().(*fakeSession).n)
	}
	l.Release(nil)
	n.Release(nil)
}

func TestNewPoolErrors(t *testing.T) {
	for _, tc := range []struct{ parallel, queue, ctx int }{{0, 0, 0}, {1, -1, 0}, {1, 0, 129}} {
		if _, err := NewPool(&fakeEngine{}, tc.parallel, tc.queue, tc.ctx); err == nil {
			t.Errorf("NewPool(%d, %d, %d) accepted", tc.parallel, tc.queue, tc.ctx)
		}
	}
}
