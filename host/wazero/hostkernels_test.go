package wazero

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
	"github.com/wisp-llm/wisp/wasm/wasmsimd"
)

// hostRuntimeWasm returns runtime-host.wasm: scripts/build-wasm's (SIMD
// kernels merged in) when it is there, else the plain one built here.
func hostRuntimeWasm(t testing.TB) string {
	t.Helper()
	p := filepath.Join(buildDir, "runtime-host.wasm")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	p = filepath.Join(t.TempDir(), "runtime-host.wasm")
	cmd := exec.Command("go", "build", "-tags", "wisphost", "-buildmode=c-shared", "-o", p, "../../wasm/cmd/runtime")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building runtime-host.wasm: %v\n%s", err, out)
	}
	return p
}

func TestStoriesGoldenHostKernels(t *testing.T) {
	e := open(t, Options{Runtime: hostRuntimeWasm(t), HostKernels: true, HostThreads: 3, Context: 256})
	if !e.HostKernels() {
		t.Fatal("runtime-host.wasm does not report host kernels")
	}
	res, err := e.Generate(context.Background(), greedy200(t, e), func(abi.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := golden(t); res.Text != want {
		t.Fatalf("generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
	}
	if e.kernels.refused != nil {
		t.Fatalf("the host refused a product: %v", e.kernels.refused)
	}
	if !e.kernels.pool.started() {
		t.Fatal("the guest never called the host kernels")
	}
}

// TestGuestFinishesWhenTheHostRefuses: a refused product is computed by
// the guest, whose engine then moves the model to its own CPU backend, so
// the output is still the golden one.
func TestGuestFinishesWhenTheHostRefuses(t *testing.T) {
	e := open(t, Options{Runtime: hostRuntimeWasm(t), HostKernels: true, Context: 256})
	withdrawn := errors.New("kernels withdrawn by the test")
	e.kernels.withdrawn = withdrawn
	res, err := e.Generate(context.Background(), greedy200(t, e), func(abi.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := golden(t); res.Text != want {
		t.Fatalf("generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
	}
	if e.kernels.refused != withdrawn {
		t.Fatalf("the guest never asked the host: refused = %v", e.kernels.refused)
	}
}

func TestPlainRuntimeReportsNoHostKernels(t *testing.T) {
	e := open(t, Options{Runtime: runtimeWasm(t, false)})
	if e.HostKernels() {
		t.Fatal("runtime-nosimd.wasm reports host kernels")
	}
}

// fakeMemory is guest memory for calling the kernels directly.
type fakeMemory []byte

func (m fakeMemory) Read(off, n uint32) ([]byte, bool) {
	if uint64(off)+uint64(n) > uint64(len(m)) {
		return nil, false
	}
	return m[off : off+n], true
}

func (m fakeMemory) putFloats(off uint32, v []float32) {
	for i, f := range v {
		binary.LittleEndian.PutUint32(m[off+4*uint32(i):], math.Float32bits(f))
	}
}

func (m fakeMemory) floats(off uint32, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(m[off+4*uint32(i):]))
	}
	return v
}

// product is one matmul laid out in guest memory.
type product struct {
	typ                tensor.Type
	rows, cols, xRows  int
	w                  []byte // the weight in its type
	x                  []float32
	wPtr, xPtr, dstPtr uint32
	mem                fakeMemory
}

func newProduct(t testing.TB, typ tensor.Type, rows, cols, xRows int, seed uint64) *product {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	wf := make([]float32, rows*cols)
	for i := range wf {
		wf[i] = float32(rng.NormFloat64())
	}
	rowBytes, err := tensor.RowBytes(typ, int64(cols))
	if err != nil {
		t.Fatal(err)
	}
	w := make([]byte, int(rowBytes)*rows)
	for r := range rows {
		if err := tensor.Quantize(typ, wf[r*cols:(r+1)*cols], w[r*int(rowBytes):(r+1)*int(rowBytes)]); err != nil {
			t.Fatal(err)
		}
	}
	x := make([]float32, xRows*cols)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	p := &product{typ: typ, rows: rows, cols: cols, xRows: xRows, w: w, x: x, wPtr: 64}
	p.xPtr = (p.wPtr + uint32(len(w)) + 63) &^ 63
	p.dstPtr = p.xPtr + uint32(4*len(x))
	p.mem = make(fakeMemory, p.dstPtr+uint32(4*xRows*rows)+64)
	copy(p.mem[p.wPtr:], w)
	p.mem.putFloats(p.xPtr, x)
	return p
}

func (p *product) run(k *kernels) error {
	return k.matMul(p.mem, uint32(p.typ), p.wPtr, uint32(len(p.w)), uint32(p.rows), uint32(p.cols), p.xPtr, uint32(p.xRows), p.dstPtr)
}

// TestHostMatMulMatchesGuestKernels compares each host kernel with the
// guest's own (wasmsimd's, whose SIMD128 kernels match their Go models bit
// for bit) on random weights and activations.
func TestHostMatMulMatchesGuestKernels(t *testing.T) {
	types := []tensor.Type{tensor.F32, tensor.F16, tensor.Q8_0, tensor.Q4_0, tensor.Q5_0, tensor.Q4_K, tensor.Q5_K, tensor.Q6_K}
	for i, typ := range types {
		for _, xRows := range []int{1, 5} {
			t.Run(typ.String()+map[int]string{1: " decode", 5: " prefill"}[xRows], func(t *testing.T) {
				p := newProduct(t, typ, 37, 512, xRows, uint64(i))
				k := &kernels{}
				k.use(nil, 3)
				defer k.close()
				if err := p.run(k); err != nil {
					t.Fatal(err)
				}
				got := p.mem.floats(p.dstPtr, xRows*p.rows)

				guest := wasmsimd.New()
				w := &model.Weight{Name: "w", Type: typ, Rows: p.rows, Cols: p.cols, Data: p.w}
				x := &model.Act{Rows: xRows, Cols: p.cols, Cap: xRows, Data: p.x}
				want := guest.NewAct(xRows, p.rows)
				guest.MatMul(want, w, x, nil)

				wf := make([]float32, p.rows*p.cols)
				if err := tensor.Dequantize(typ, p.w, wf); err != nil {
					t.Fatal(err)
				}
				for r := range xRows {
					for i := range p.rows {
						tol := tolerance(typ, wf[i*p.cols:(i+1)*p.cols], p.x[r*p.cols:(r+1)*p.cols])
						g, w := got[r*p.rows+i], want.Data[r*p.rows+i]
						if d := math.Abs(float64(g - w)); d > tol || math.IsNaN(d) {
							t.Fatalf("row %d output %d: host %v, guest %v: differ by %g > %g", r, i, g, w, d, tol)
						}
					}
				}
			})
		}
	}
}

// tolerance bounds |host − guest| for one output. Host and guest quantize
// activations alike (llama.cpp's Q8_0 and Q8_K rounding), so for quantized
// weights only float32 summation order differs, and an activation that
// rounds the other way at a tie; 1e-4 of Σ|w·x| allows about two such
// steps (measured differences are below 1e-7 of it). For F16 weights the
// host rounds activations to F16 (2⁻¹¹ relative) and the guest does not.
func tolerance(typ tensor.Type, w, x []float32) float64 {
	var abs float64
	for j := range w {
		abs += math.Abs(float64(w[j] * x[j]))
	}
	switch typ {
	case tensor.F32:
		return 1e-5 * abs
	case tensor.F16:
		return 6e-4 * abs
	}
	return 1e-4 * abs
}

// TestEnginesShareAKernelPool runs two guests at once on one pool: both
// give the golden text, their products run on the shared threads (the
// engines start none of their own), and once the pool is closed a guest
// is refused and finishes on its own, still with the golden text.
func TestEnginesShareAKernelPool(t *testing.T) {
	pool := NewKernelPool(2)
	defer pool.Close()
	engines := []*Engine{
		open(t, Options{Runtime: hostRuntimeWasm(t), HostKernels: true, Kernels: pool, Context: 256}),
		open(t, Options{Runtime: hostRuntimeWasm(t), HostKernels: true, Kernels: pool, Context: 256}),
	}
	texts := make([]string, len(engines))
	errs := make([]error, len(engines))
	var wg sync.WaitGroup
	for i, e := range engines {
		if e.kernels.pool != pool || e.kernels.ownPool {
			t.Fatalf("engine %d does not use the shared pool", i)
		}
		wg.Go(func() {
			res, err := e.Generate(context.Background(), greedy200(t, e), func(abi.Delta) error { return nil })
			texts[i], errs[i] = res.Text, err
		})
	}
	wg.Wait()
	want := golden(t)
	for i, e := range engines {
		if errs[i] != nil {
			t.Fatalf("engine %d: %v", i, errs[i])
		}
		if texts[i] != want {
			t.Fatalf("engine %d: generated text differs from llama2.c's:\n got %q\nwant %q", i, texts[i], want)
		}
		if e.kernels.refused != nil {
			t.Fatalf("engine %d: the host refused a product: %v", i, e.kernels.refused)
		}
	}
	if !pool.started() {
		t.Fatal("no guest called the shared kernels")
	}

	pool.Close()
	e := engines[0]
	res, err := e.Generate(context.Background(), greedy200(t, e), func(abi.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != want {
		t.Fatalf("after the pool closed: generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
	}
	if e.kernels.refused != errPoolClosed {
		t.Fatalf("after the pool closed: refused = %v, want %v", e.kernels.refused, errPoolClosed)
	}
}
