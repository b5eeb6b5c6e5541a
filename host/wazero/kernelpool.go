package wazero

import (
	"errors"
	"sync"

	"github.com/wisp-llm/wisp/wasm/cpu"
)

// KernelPool holds the native threads that run the host kernels
// (Options.HostKernels). An engine without one (Options.Kernels nil)
// starts its own; engines that run side by side, as a server's sessions do,
// share one, so that their products take turns on all the threads instead
// of each guest starting a thread per core and all of them fighting for
// the cores.
type KernelPool struct {
	threads int
	mu      sync.Mutex // one product at a time
	fast    *cpu.Fast  // started by the first product
	closed  bool
}

// errPoolClosed refuses products after Close; a guest then computes its
// products itself.
var errPoolClosed = errors.New("wazero: the host kernel pool is closed")

// NewKernelPool returns a pool of threads native threads (0: one per
// core), started by the first product.
func NewKernelPool(threads int) *KernelPool { return &KernelPool{threads: threads} }

// run calls product with the pool's kernels, alone.
func (p *KernelPool) run(product func(*cpu.Fast) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errPoolClosed
	}
	if p.fast == nil {
		p.fast = cpu.NewFast(p.threads)
	}
	return product(p.fast)
}

// started reports whether a product has run.
func (p *KernelPool) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fast != nil
}

// Close stops the pool's threads once the product running, if any, ends;
// later products are refused.
func (p *KernelPool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.fast != nil {
		p.fast.Close()
		p.fast = nil
	}
}
