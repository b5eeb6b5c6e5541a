package wazero

import (
	"context"
	"fmt"
	"io"
	"math"
	"unsafe"

	wz "github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/wisp-llm/wisp/wasm/abi"
	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/hostkernels"
	"github.com/wisp-llm/wisp/wasm/model"
	"github.com/wisp-llm/wisp/wasm/tensor"
)

// kernels are the native kernels the host lends runtime-host.wasm
// (wasm/hostkernels): cpu.Fast over views of the guest's memory, so the
// single-threaded guest multiplies on every core the host gives it.
type kernels struct {
	pool    *KernelPool
	ownPool bool // started for this engine, closed with it
	// The headers handed to the pool's kernels, reused so that a product
	// allocates nothing.
	w      model.Weight
	x, dst model.Act
	// refused is the last refusal, for diagnostics and tests; the first
	// is also written to log, when set.
	refused error
	log     io.Writer
	// withdrawn, when set, refuses every product: the guest must then
	// finish on its own (tests use it to check that it does).
	withdrawn error
}

// guestMemory is what the kernels need of api.Memory: views of the guest's
// bytes, refused outside its memory.
type guestMemory interface {
	Read(offset, n uint32) ([]byte, bool)
}

// export adds the kernels to the host module.
func (k *kernels) export(b wz.HostModuleBuilder) wz.HostModuleBuilder {
	i32 := api.ValueTypeI32
	return b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(k.matMulCall), []api.ValueType{i32, i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}).
		WithParameterNames("type", "w", "w_len", "rows", "cols", "x", "x_rows", "dst").
		Export(hostkernels.MatMulName)
}

func (k *kernels) matMulCall(_ context.Context, m api.Module, stack []uint64) {
	var a [8]uint32
	for i := range a {
		a[i] = api.DecodeU32(stack[i])
	}
	code := abi.CodeOK
	if mem := m.Memory(); mem == nil {
		code = abi.CodeInvalid
	} else if err := k.matMul(mem, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); err != nil {
		if k.refused == nil && k.log != nil {
			fmt.Fprintf(k.log, "%v; the guest computes its products itself from now on\n", err)
		}
		k.refused = err
		code = abi.CodeInvalid
	}
	stack[0] = api.EncodeU32(uint32(code))
}

// matMul checks a product's arguments against the guest's memory, the
// weight's type and its shape, and runs it; it writes nothing when it
// refuses them.
func (k *kernels) matMul(mem guestMemory, typ, wPtr, wLen, rows, cols, xPtr, xRows, dstPtr uint32) error {
	if k.withdrawn != nil {
		return k.withdrawn
	}
	t := tensor.Type(typ)
	if !tensor.CanDequantize(t) {
		return fmt.Errorf("wazero: host matmul: weight type %d has no kernel", typ)
	}
	if rows == 0 || cols == 0 || xRows == 0 {
		return fmt.Errorf("wazero: host matmul: empty shape %d×%d with %d activation rows", rows, cols, xRows)
	}
	// Kernels read F32 and F16 weights as words; activations are float32.
	if align := wordBytes(t); wPtr%align != 0 {
		return fmt.Errorf("wazero: host matmul: %v weight at %#x is not %d-byte aligned", t, wPtr, align)
	}
	if xPtr%4 != 0 || dstPtr%4 != 0 {
		return fmt.Errorf("wazero: host matmul: activations at %#x and %#x are not 4-byte aligned", xPtr, dstPtr)
	}
	xBytes, dstBytes := 4*uint64(xRows)*uint64(cols), 4*uint64(xRows)*uint64(rows)
	if xBytes > math.MaxUint32 || dstBytes > math.MaxUint32 {
		return fmt.Errorf("wazero: host matmul: %d activation rows of %d and %d floats exceed wasm32", xRows, cols, rows)
	}
	w, ok := mem.Read(wPtr, wLen)
	if !ok {
		return fmt.Errorf("wazero: host matmul: weight [%#x, +%d) is outside the guest's memory", wPtr, wLen)
	}
	x, ok := mem.Read(xPtr, uint32(xBytes))
	if !ok {
		return fmt.Errorf("wazero: host matmul: activations [%#x, +%d) are outside the guest's memory", xPtr, xBytes)
	}
	dst, ok := mem.Read(dstPtr, uint32(dstBytes))
	if !ok {
		return fmt.Errorf("wazero: host matmul: output [%#x, +%d) is outside the guest's memory", dstPtr, dstBytes)
	}
	k.w = model.Weight{Name: "guest weight", Type: t, Rows: int(rows), Cols: int(cols), Data: w}
	k.x = model.Act{Rows: int(xRows), Cols: int(cols), Cap: int(xRows), Data: floats(x)}
	k.dst = model.Act{Rows: int(xRows), Cols: int(rows), Cap: int(xRows), Data: floats(dst)}
	err := k.pool.run(k.product)
	// Drop the views: the guest's memory may move when it grows.
	k.w, k.x, k.dst = model.Weight{}, model.Act{}, model.Act{}
	return err
}

// product runs the product set up in k's headers on fast.
func (k *kernels) product(fast *cpu.Fast) error {
	// Check verifies that the bytes are exactly the shape in the type,
	// which the kernels then trust (Upload would also repack the weight,
	// for one product).
	if err := fast.Check(&k.w); err != nil {
		return fmt.Errorf("wazero: host matmul: %w", err)
	}
	fast.MatMul(&k.dst, &k.w, &k.x, nil)
	return nil
}

// wordBytes is the alignment the kernels need of a weight of type t.
func wordBytes(t tensor.Type) uint32 {
	switch t {
	case tensor.F32:
		return 4
	case tensor.F16, tensor.BF16:
		return 2
	}
	return 1
}

// floats views 4-byte-aligned guest bytes as float32 (little-endian on
// both sides: wasm and the hosts wazero compiles for).
func floats(b []byte) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// use sets the kernels' pool: shared, or nil for one of their own with
// threads threads.
func (k *kernels) use(shared *KernelPool, threads int) {
	k.pool, k.ownPool = shared, shared == nil
	if k.ownPool {
		k.pool = NewKernelPool(threads)
	}
}

func (k *kernels) close() {
	if k.ownPool {
		k.pool.Close()
	}
}
