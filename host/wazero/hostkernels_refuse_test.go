package wazero

import (
	"bytes"
	"context"
	"math"
	"testing"

	wz "github.com/tetratelabs/wazero"

	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/hostkernels"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// matMulArgs are the import's arguments, in its order.
type matMulArgs struct{ typ, w, wLen, rows, cols, x, xRows, dst uint32 }

// badMatMuls are arguments a guest may pass that the host must refuse;
// each starts from a valid product p and breaks one thing.
func badMatMuls(p *product) []struct {
	name string
	args matMulArgs
} {
	ok := matMulArgs{uint32(p.typ), p.wPtr, uint32(len(p.w)), uint32(p.rows), uint32(p.cols), p.xPtr, uint32(p.xRows), p.dstPtr}
	with := func(f func(*matMulArgs)) matMulArgs { a := ok; f(&a); return a }
	end := uint32(len(p.mem))
	return []struct {
		name string
		args matMulArgs
	}{
		{"unknown type", with(func(a *matMulArgs) { a.typ = 99 })},
		{"type without a kernel", with(func(a *matMulArgs) { a.typ = uint32(tensor.I32) })},
		{"zero rows", with(func(a *matMulArgs) { a.rows = 0 })},
		{"zero columns", with(func(a *matMulArgs) { a.cols = 0 })},
		{"zero activation rows", with(func(a *matMulArgs) { a.xRows = 0 })},
		{"weight past the end", with(func(a *matMulArgs) { a.w = end - 4 })},
		{"weight wraps around", with(func(a *matMulArgs) { a.w, a.wLen = math.MaxUint32-3, 8 })},
		{"weight shorter than its shape", with(func(a *matMulArgs) { a.wLen -= 4 })},
		{"shape larger than the weight", with(func(a *matMulArgs) { a.rows++ })},
		{"columns that do not match the weight", with(func(a *matMulArgs) { a.cols = 33 })},
		{"misaligned F32 weight", with(func(a *matMulArgs) { a.w++ })},
		{"activations past the end", with(func(a *matMulArgs) { a.x = end - 4 })},
		{"misaligned activations", with(func(a *matMulArgs) { a.x++ })},
		{"output past the end", with(func(a *matMulArgs) { a.dst = end - 4 })},
		{"misaligned output", with(func(a *matMulArgs) { a.dst += 2 })},
		{"activations larger than wasm32", with(func(a *matMulArgs) { a.xRows = math.MaxUint32 })},
		{"output larger than wasm32", with(func(a *matMulArgs) { a.xRows, a.cols, a.rows, a.wLen = 1<<24, 1, 1<<8, 4<<8 })},
	}
}

func TestHostMatMulRefusesBadArguments(t *testing.T) {
	p := newProduct(t, tensor.F32, 8, 64, 2, 7)
	k := &kernels{}
	k.use(nil, 2)
	defer k.close()
	for _, tc := range badMatMuls(p) {
		t.Run(tc.name, func(t *testing.T) {
			before := bytes.Clone(p.mem)
			a := tc.args
			err := k.matMul(p.mem, a.typ, a.w, a.wLen, a.rows, a.cols, a.x, a.xRows, a.dst)
			if err == nil {
				t.Fatal("accepted")
			}
			t.Log(err)
			if !bytes.Equal(before, p.mem) {
				t.Fatal("a refused product wrote to guest memory")
			}
		})
	}
}

// hostileGuest is a wasm module, encoded here byte by byte, that exports
// its one page of memory and call(8 × i32) → i32, which passes its
// arguments to wisp_host.matmul as a hostile guest would.
func hostileGuest() []byte {
	section := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	name := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	const i32 = 0x7f
	sig := []byte{1, 0x60, 8, i32, i32, i32, i32, i32, i32, i32, i32, 1, i32}
	imports := append(append(append([]byte{1}, name(hostkernels.Module)...), name(hostkernels.MatMulName)...), 0, 0)
	exports := append(append(append([]byte{2}, name("call")...), 0, 1), append(name("memory"), 2, 0)...)
	body := []byte{0}
	for i := range byte(8) {
		body = append(body, 0x20, i) // local.get i
	}
	body = append(body, 0x10, 0, 0x0b) // call 0; end
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = append(m, section(1, sig...)...)
	m = append(m, section(2, imports...)...)
	m = append(m, section(3, 1, 0)...)
	m = append(m, section(5, 1, 0, 1)...)
	m = append(m, section(7, exports...)...)
	return append(m, section(10, append([]byte{1, byte(len(body))}, body...)...)...)
}

// TestHostileGuestIsRefused calls the kernels from a real guest with the
// bad arguments: each call answers an error code, the host goes on, and a
// good product still works afterwards.
func TestHostileGuestIsRefused(t *testing.T) {
	ctx := context.Background()
	r := wz.NewRuntime(ctx)
	defer r.Close(ctx)
	k := &kernels{}
	k.use(nil, 2)
	defer k.close()
	if _, err := k.export(r.NewHostModuleBuilder(hostkernels.Module)).Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	mod, err := r.Instantiate(ctx, hostileGuest())
	if err != nil {
		t.Fatal(err)
	}
	// The product laid out in a guest page.
	p := newProduct(t, tensor.F32, 8, 64, 2, 7)
	if len(p.mem) > 65536 || !mod.Memory().Write(0, p.mem) {
		t.Fatalf("the product's %d bytes do not fit the guest's page", len(p.mem))
	}
	p.mem = make(fakeMemory, 65536) // the guest's memory is one page
	call := mod.ExportedFunction("call")
	for _, tc := range badMatMuls(p) {
		a := tc.args
		res, err := call.Call(ctx, uint64(a.typ), uint64(a.w), uint64(a.wLen), uint64(a.rows), uint64(a.cols), uint64(a.x), uint64(a.xRows), uint64(a.dst))
		if err != nil {
			t.Fatalf("%s: the call trapped: %v", tc.name, err)
		}
		if abi.Code(res[0]) != abi.CodeInvalid {
			t.Errorf("%s: answered %d, want %d (invalid)", tc.name, res[0], abi.CodeInvalid)
		}
	}
	res, err := call.Call(ctx, uint64(p.typ), uint64(p.wPtr), uint64(len(p.w)), uint64(p.rows), uint64(p.cols), uint64(p.xPtr), uint64(p.xRows), uint64(p.dstPtr))
	if err != nil || res[0] != 0 {
		t.Fatalf("a good product after the bad ones: %v, %v", res, err)
	}
	dst, _ := mod.Memory().Read(p.dstPtr, uint32(4*p.xRows*p.rows))
	got := fakeMemory(dst).floats(0, p.xRows*p.rows)
	for r := range p.xRows {
		for i := range p.rows {
			var want float32
			for c := range p.cols {
				want += float32(f32At(p.w, i*p.cols+c) * p.x[r*p.cols+c])
			}
			if d := math.Abs(float64(got[r*p.rows+i] - want)); d > 1e-4 {
				t.Fatalf("dst[%d][%d] = %v, want %v", r, i, got[r*p.rows+i], want)
			}
		}
	}
}

func f32At(b []byte, i int) float32 {
	return math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
}
