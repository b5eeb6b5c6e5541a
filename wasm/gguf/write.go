package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// NewTensor is a tensor to be written.
type NewTensor struct {
	Name string
	Dims []uint64 // ggml order: Dims[0] is the row length
	Type tensor.Type
	Data []byte // exactly the tensor's size in its type's layout
}

// Write writes a GGUF file: header, metadata in the given order, tensor
// infos, then tensor data, each tensor aligned to general.alignment (32 when
// absent) as llama.cpp lays files out. Reading a file and writing its
// metadata and tensors back gives the same bytes.
func Write(w io.Writer, version uint32, kvs []KV, tensors []NewTensor) error {
	if version != 2 && version != 3 {
		return fmt.Errorf("gguf: cannot write version %d", version)
	}
	align := uint64(DefaultAlignment)
	seen := map[string]bool{}
	for _, kv := range kvs {
		if seen[kv.Key] {
			return fmt.Errorf("gguf: duplicate metadata key %q", kv.Key)
		}
		seen[kv.Key] = true
		if kv.Key == "general.alignment" {
			a, ok := asInt64(kv.Value.V)
			if !ok || a <= 0 || a&(a-1) != 0 {
				return fmt.Errorf("gguf: general.alignment %v is not a power of two", kv.Value.V)
			}
			align = uint64(a)
		}
	}
	offsets := make([]uint64, len(tensors))
	var offset uint64
	names := map[string]bool{}
	for i, t := range tensors {
		if names[t.Name] {
			return fmt.Errorf("gguf: duplicate tensor %q", t.Name)
		}
		names[t.Name] = true
		if len(t.Dims) == 0 || len(t.Dims) > maxDims {
			return fmt.Errorf("gguf: tensor %q has %d dimensions", t.Name, len(t.Dims))
		}
		n := int64(1)
		for _, d := range t.Dims {
			if d == 0 || d > math.MaxInt64/uint64(n) {
				return fmt.Errorf("gguf: tensor %q has dimension %d", t.Name, d)
			}
			n *= int64(d)
		}
		if t.Dims[0]%uint64(max(t.Type.BlockSize(), 1)) != 0 {
			return fmt.Errorf("gguf: tensor %q row length %d is not a multiple of the %s block size", t.Name, t.Dims[0], t.Type)
		}
		size, err := tensor.RowBytes(t.Type, n)
		if err != nil {
			return fmt.Errorf("gguf: tensor %q: %w", t.Name, err)
		}
		if int64(len(t.Data)) != size {
			return fmt.Errorf("gguf: tensor %q has %d bytes of data, want %d", t.Name, len(t.Data), size)
		}
		offsets[i] = offset
		offset += uint64(alignUp(size, int64(align)))
	}

	e := &encoder{w: bufio.NewWriterSize(w, 1<<20)}
	e.bytes([]byte(Magic))
	e.u32(version)
	e.u64(uint64(len(tensors)))
	e.u64(uint64(len(kvs)))
	for _, kv := range kvs {
		e.str(kv.Key)
		e.u32(uint32(kv.Value.Type))
		if err := e.value(kv.Value, 0); err != nil {
			return fmt.Errorf("gguf: metadata %q: %w", kv.Key, err)
		}
	}
	for i, t := range tensors {
		e.str(t.Name)
		e.u32(uint32(len(t.Dims)))
		for _, d := range t.Dims {
			e.u64(d)
		}
		e.u32(uint32(t.Type))
		e.u64(offsets[i])
	}
	if len(tensors) > 0 { // llama.cpp pads before the data section only when there is one
		e.pad(align)
	}
	for _, t := range tensors {
		e.bytes(t.Data)
		e.pad(align)
	}
	if e.err != nil {
		return fmt.Errorf("gguf: writing: %w", e.err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("gguf: writing: %w", err)
	}
	return nil
}

// FileTensors returns f's tensors with their data, ready for Write.
func (f *File) FileTensors() ([]NewTensor, error) {
	out := make([]NewTensor, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		data, err := f.Data(t)
		if err != nil {
			return nil, err
		}
		out[i] = NewTensor{Name: t.Name, Dims: t.Dims, Type: t.Type, Data: data}
	}
	return out, nil
}

type encoder struct {
	w   *bufio.Writer
	n   uint64
	err error
	buf [8]byte
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(b)
	e.n += uint64(len(b))
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:4], v)
	e.bytes(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:8], v)
	e.bytes(e.buf[:8])
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
		e.n += uint64(len(s))
	}
}

func (e *encoder) pad(align uint64) {
	var zeros [64]byte
	for e.n%align != 0 {
		k := min(align-e.n%align, uint64(len(zeros)))
		e.bytes(zeros[:k])
	}
}

func (e *encoder) value(v Value, depth int) error {
	if depth > maxArrayDepth {
		return fmt.Errorf("arrays nested deeper than %d", maxArrayDepth)
	}
	if v.Type == TypeArray {
		a, ok := v.V.(Array)
		if !ok {
			return fmt.Errorf("array value holds %T", v.V)
		}
		e.u32(uint32(a.Elem))
		e.u64(uint64(a.Len()))
		switch s := a.Values.(type) {
		case []string:
			for _, x := range s {
				e.str(x)
			}
		case []Array:
			for _, x := range s {
				if err := e.value(Value{TypeArray, x}, depth+1); err != nil {
					return err
				}
			}
		default:
			return e.scalars(a)
		}
		return nil
	}
	return e.scalar(v)
}

func (e *encoder) scalar(v Value) error {
	le := binary.LittleEndian
	b := e.buf[:]
	switch x := v.V.(type) {
	case uint8:
		e.bytes([]byte{x})
	case int8:
		e.bytes([]byte{byte(x)})
	case bool:
		if x {
			e.bytes([]byte{1})
		} else {
			e.bytes([]byte{0})
		}
	case uint16:
		le.PutUint16(b, x)
		e.bytes(b[:2])
	case int16:
		le.PutUint16(b, uint16(x))
		e.bytes(b[:2])
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case string:
		e.str(x)
	default:
		return fmt.Errorf("unsupported value %T", v.V)
	}
	if want := typeOfGo(v.V); want != v.Type {
		return fmt.Errorf("value type %s does not match Go value %T", v.Type, v.V)
	}
	return nil
}

func (e *encoder) scalars(a Array) error {
	n := a.Len()
	if n == 0 {
		if a.Elem.fixedSize() == 0 {
			return fmt.Errorf("array of unknown element type %d", uint32(a.Elem))
		}
		return nil
	}
	switch s := a.Values.(type) {
	case []uint8:
		e.bytes(s)
	case []int8:
		for _, x := range s {
			e.bytes([]byte{byte(x)})
		}
	case []bool:
		for _, x := range s {
			e.scalar(Value{TypeBool, x})
		}
	default:
		for i := range n {
			e.scalar(Value{a.Elem, index(a.Values, i)})
		}
	}
	if first := typeOfGo(index(a.Values, 0)); first != a.Elem {
		return fmt.Errorf("array element type %s does not match Go values %T", a.Elem, a.Values)
	}
	return nil
}

func index(values any, i int) any {
	switch s := values.(type) {
	case []uint8:
		return s[i]
	case []int8:
		return s[i]
	case []uint16:
		return s[i]
	case []int16:
		return s[i]
	case []uint32:
		return s[i]
	case []int32:
		return s[i]
	case []float32:
		return s[i]
	case []bool:
		return s[i]
	case []string:
		return s[i]
	case []uint64:
		return s[i]
	case []int64:
		return s[i]
	case []float64:
		return s[i]
	}
	return nil
}

func typeOfGo(v any) ValueType {
	switch v.(type) {
	case uint8:
		return TypeUint8
	case int8:
		return TypeInt8
	case uint16:
		return TypeUint16
	case int16:
		return TypeInt16
	case uint32:
		return TypeUint32
	case int32:
		return TypeInt32
	case float32:
		return TypeFloat32
	case bool:
		return TypeBool
	case string:
		return TypeString
	case uint64:
		return TypeUint64
	case int64:
		return TypeInt64
	case float64:
		return TypeFloat64
	case Array:
		return TypeArray
	}
	return ValueType(math.MaxUint32)
}
