package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// DefaultAlignment applies when general.alignment is absent.
const DefaultAlignment = 32

// Caps on counts read from a file. Real models stay far below them; they
// exist so that a hostile header cannot make us allocate without bound.
const (
	maxTensors     = 1 << 20
	maxKVs         = 1 << 20
	maxStringBytes = 64 << 20
	maxArrayLen    = 1 << 28
	maxArrayDepth  = 8
	maxDims        = 4
)

// ErrFormat is wrapped by every error about malformed file contents.
var ErrFormat = errors.New("gguf: malformed file")

// TensorInfo describes one tensor. Dims are ggml's order: Dims[0] is the
// length of a row (the fastest-varying dimension).
type TensorInfo struct {
	Name   string
	Dims   []uint64
	Type   tensor.Type
	Offset uint64 // from the start of the data section
	Size   int64  // bytes of data
}

// Elements is the product of the dimensions.
func (t *TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Dims {
		n *= int64(d)
	}
	return n
}

// File is a parsed GGUF file. Tensor data is read on demand through the
// reader it was opened with.
type File struct {
	Version    uint32
	KVs        []KV
	Tensors    []TensorInfo
	Alignment  uint64
	DataOffset int64 // absolute offset of the data section

	r        io.ReaderAt
	size     int64
	mapped   []byte // whole file when memory-mapped or given as bytes
	closer   func() error
	private  bool // mapped is the process's own writable copy
	kvIndex  map[string]int
	tenIndex map[string]int
}

// countingReader reads sequentially through a ReaderAt and knows how many
// bytes remain, so lengths can be checked before allocation.
type countingReader struct {
	br   *bufio.Reader
	pos  int64
	size int64
}

func (c *countingReader) remaining() int64 { return c.size - c.pos }

func (c *countingReader) read(p []byte) error {
	if int64(len(p)) > c.remaining() {
		return fmt.Errorf("%w: truncated at offset %d (need %d bytes, %d left)", ErrFormat, c.pos, len(p), c.remaining())
	}
	if _, err := io.ReadFull(c.br, p); err != nil {
		return fmt.Errorf("gguf: reading at offset %d: %w", c.pos, err)
	}
	c.pos += int64(len(p))
	return nil
}

func (c *countingReader) u32() (uint32, error) {
	var b [4]byte
	if err := c.read(b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

func (c *countingReader) u64() (uint64, error) {
	var b [8]byte
	if err := c.read(b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func (c *countingReader) str() (string, error) {
	n, err := c.u64()
	if err != nil {
		return "", err
	}
	if n > maxStringBytes || int64(n) > c.remaining() {
		return "", fmt.Errorf("%w: string of %d bytes at offset %d exceeds the file or the cap", ErrFormat, n, c.pos-8)
	}
	b := make([]byte, n)
	if err := c.read(b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Read parses the header of a GGUF file of the given size.
func Read(r io.ReaderAt, size int64) (*File, error) {
	c := &countingReader{br: bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<16), size: size}
	var magic [4]byte
	if err := c.read(magic[:]); err != nil {
		return nil, fmt.Errorf("gguf: reading magic: %w", err)
	}
	if string(magic[:]) != Magic {
		return nil, fmt.Errorf("%w: bad magic %q, not a GGUF file", ErrFormat, magic[:])
	}
	f := &File{r: r, size: size, kvIndex: map[string]int{}, tenIndex: map[string]int{}}
	var err error
	if f.Version, err = c.u32(); err != nil {
		return nil, fmt.Errorf("gguf: reading version: %w", err)
	}
	if f.Version != 2 && f.Version != 3 {
		return nil, fmt.Errorf("%w: unsupported version %d (want 2 or 3)", ErrFormat, f.Version)
	}
	nTensors, err := c.u64()
	if err != nil {
		return nil, fmt.Errorf("gguf: reading tensor count: %w", err)
	}
	nKVs, err := c.u64()
	if err != nil {
		return nil, fmt.Errorf("gguf: reading metadata count: %w", err)
	}
	// Each KV takes at least 8+4+1 bytes and each tensor info 8+4+8+4+8.
	if nKVs > maxKVs || int64(nKVs) > c.remaining()/13 {
		return nil, fmt.Errorf("%w: metadata count %d exceeds the file or the cap", ErrFormat, nKVs)
	}
	if nTensors > maxTensors || int64(nTensors) > c.remaining()/32 {
		return nil, fmt.Errorf("%w: tensor count %d exceeds the file or the cap", ErrFormat, nTensors)
	}

	f.KVs = make([]KV, 0, nKVs)
	for i := range nKVs {
		key, err := c.str()
		if err != nil {
			return nil, fmt.Errorf("gguf: metadata %d key: %w", i, err)
		}
		if _, dup := f.kvIndex[key]; dup {
			return nil, fmt.Errorf("%w: duplicate metadata key %q", ErrFormat, key)
		}
		t, err := c.u32()
		if err != nil {
			return nil, fmt.Errorf("gguf: metadata %q type: %w", key, err)
		}
		v, err := c.value(ValueType(t), 0)
		if err != nil {
			return nil, fmt.Errorf("gguf: metadata %q: %w", key, err)
		}
		f.kvIndex[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Value: v})
	}

	f.Alignment = DefaultAlignment
	if v, ok := f.Lookup("general.alignment"); ok {
		a, ok := asInt64(v.V)
		if !ok || a <= 0 || a > 1<<20 || a&(a-1) != 0 {
			return nil, fmt.Errorf("%w: general.alignment %v is not a power of two up to 1 MiB", ErrFormat, v.V)
		}
		f.Alignment = uint64(a)
	}

	f.Tensors = make([]TensorInfo, 0, nTensors)
	for i := range nTensors {
		ti, err := c.tensorInfo()
		if err != nil {
			return nil, fmt.Errorf("gguf: tensor %d: %w", i, err)
		}
		if _, dup := f.tenIndex[ti.Name]; dup {
			return nil, fmt.Errorf("%w: duplicate tensor %q", ErrFormat, ti.Name)
		}
		f.tenIndex[ti.Name] = len(f.Tensors)
		f.Tensors = append(f.Tensors, ti)
	}

	f.DataOffset = alignUp(c.pos, int64(f.Alignment))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if t.Offset%f.Alignment != 0 {
			return nil, fmt.Errorf("%w: tensor %q offset %d is not aligned to %d", ErrFormat, t.Name, t.Offset, f.Alignment)
		}
		if t.Offset > uint64(size) || f.DataOffset+int64(t.Offset) > size-t.Size || f.DataOffset > size {
			return nil, fmt.Errorf("%w: tensor %q (offset %d, %d bytes) lies beyond the end of the file (%d bytes)", ErrFormat, t.Name, t.Offset, t.Size, size)
		}
	}
	return f, nil
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }

func (c *countingReader) tensorInfo() (TensorInfo, error) {
	var ti TensorInfo
	var err error
	if ti.Name, err = c.str(); err != nil {
		return ti, fmt.Errorf("name: %w", err)
	}
	nDims, err := c.u32()
	if err != nil {
		return ti, fmt.Errorf("%q dimensions: %w", ti.Name, err)
	}
	if nDims == 0 || nDims > maxDims {
		return ti, fmt.Errorf("%w: tensor %q has %d dimensions (want 1 to %d)", ErrFormat, ti.Name, nDims, maxDims)
	}
	ti.Dims = make([]uint64, nDims)
	elements := int64(1)
	for d := range ti.Dims {
		if ti.Dims[d], err = c.u64(); err != nil {
			return ti, fmt.Errorf("%q dimension %d: %w", ti.Name, d, err)
		}
		if ti.Dims[d] == 0 || ti.Dims[d] > math.MaxInt64/uint64(elements) {
			return ti, fmt.Errorf("%w: tensor %q dimension %d is %d (zero or overflowing)", ErrFormat, ti.Name, d, ti.Dims[d])
		}
		elements *= int64(ti.Dims[d])
	}
	t, err := c.u32()
	if err != nil {
		return ti, fmt.Errorf("%q type: %w", ti.Name, err)
	}
	ti.Type = tensor.Type(t)
	if !tensor.ValidType(ti.Type) {
		return ti, fmt.Errorf("%w: tensor %q has unknown type %d", ErrFormat, ti.Name, t)
	}
	if ti.Dims[0]%uint64(ti.Type.BlockSize()) != 0 {
		return ti, fmt.Errorf("%w: tensor %q row length %d is not a multiple of the %s block size %d", ErrFormat, ti.Name, ti.Dims[0], ti.Type, ti.Type.BlockSize())
	}
	if ti.Size, err = tensor.RowBytes(ti.Type, elements); err != nil {
		return ti, fmt.Errorf("%w: tensor %q: %v", ErrFormat, ti.Name, err)
	}
	if ti.Offset, err = c.u64(); err != nil {
		return ti, fmt.Errorf("%q offset: %w", ti.Name, err)
	}
	return ti, nil
}

func (c *countingReader) value(t ValueType, depth int) (Value, error) {
	if t == TypeArray {
		a, err := c.array(depth)
		return Value{TypeArray, a}, err
	}
	if t == TypeString {
		s, err := c.str()
		return Value{TypeString, s}, err
	}
	size := t.fixedSize()
	if size == 0 {
		return Value{}, fmt.Errorf("%w: unknown value type %d", ErrFormat, uint32(t))
	}
	var b [8]byte
	if err := c.read(b[:size]); err != nil {
		return Value{}, err
	}
	v, err := decodeScalar(t, b[:size])
	return Value{t, v}, err
}

func decodeScalar(t ValueType, b []byte) (any, error) {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return b[0], nil
	case TypeInt8:
		return int8(b[0]), nil
	case TypeBool:
		if b[0] > 1 {
			return nil, fmt.Errorf("%w: bool value %d", ErrFormat, b[0])
		}
		return b[0] == 1, nil
	case TypeUint16:
		return le.Uint16(b), nil
	case TypeInt16:
		return int16(le.Uint16(b)), nil
	case TypeUint32:
		return le.Uint32(b), nil
	case TypeInt32:
		return int32(le.Uint32(b)), nil
	case TypeFloat32:
		return math.Float32frombits(le.Uint32(b)), nil
	case TypeUint64:
		return le.Uint64(b), nil
	case TypeInt64:
		return int64(le.Uint64(b)), nil
	case TypeFloat64:
		return math.Float64frombits(le.Uint64(b)), nil
	}
	return nil, fmt.Errorf("%w: unknown value type %d", ErrFormat, uint32(t))
}

func (c *countingReader) array(depth int) (Array, error) {
	if depth >= maxArrayDepth {
		return Array{}, fmt.Errorf("%w: arrays nested deeper than %d", ErrFormat, maxArrayDepth)
	}
	et, err := c.u32()
	if err != nil {
		return Array{}, err
	}
	elem := ValueType(et)
	n, err := c.u64()
	if err != nil {
		return Array{}, err
	}
	minSize := int64(elem.fixedSize())
	switch elem {
	case TypeString:
		minSize = 8
	case TypeArray:
		minSize = 12
	}
	if minSize == 0 {
		return Array{}, fmt.Errorf("%w: unknown array element type %d", ErrFormat, et)
	}
	if n > maxArrayLen || int64(n) > c.remaining()/minSize {
		return Array{}, fmt.Errorf("%w: array of %d %s exceeds the file or the cap", ErrFormat, n, elem)
	}
	switch elem {
	case TypeString:
		vs := make([]string, n)
		for i := range vs {
			if vs[i], err = c.str(); err != nil {
				return Array{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return Array{elem, vs}, nil
	case TypeArray:
		vs := make([]Array, n)
		for i := range vs {
			if vs[i], err = c.array(depth + 1); err != nil {
				return Array{}, fmt.Errorf("element %d: %w", i, err)
			}
		}
		return Array{elem, vs}, nil
	}
	raw := make([]byte, int64(n)*minSize)
	if err := c.read(raw); err != nil {
		return Array{}, err
	}
	vals, err := decodeScalars(elem, raw, int(n))
	return Array{elem, vals}, err
}

// decodeScalars turns packed little-endian scalars into a typed slice.
func decodeScalars(t ValueType, raw []byte, n int) (any, error) {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return raw, nil
	case TypeInt8:
		out := make([]int8, n)
		for i := range out {
			out[i] = int8(raw[i])
		}
		return out, nil
	case TypeBool:
		out := make([]bool, n)
		for i := range out {
			if raw[i] > 1 {
				return nil, fmt.Errorf("%w: bool value %d at element %d", ErrFormat, raw[i], i)
			}
			out[i] = raw[i] == 1
		}
		return out, nil
	case TypeUint16:
		out := make([]uint16, n)
		for i := range out {
			out[i] = le.Uint16(raw[2*i:])
		}
		return out, nil
	case TypeInt16:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(le.Uint16(raw[2*i:]))
		}
		return out, nil
	case TypeUint32:
		out := make([]uint32, n)
		for i := range out {
			out[i] = le.Uint32(raw[4*i:])
		}
		return out, nil
	case TypeInt32:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case TypeFloat32:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case TypeUint64:
		out := make([]uint64, n)
		for i := range out {
			out[i] = le.Uint64(raw[8*i:])
		}
		return out, nil
	case TypeInt64:
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(le.Uint64(raw[8*i:]))
		}
		return out, nil
	case TypeFloat64:
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unknown array element type %d", ErrFormat, uint32(t))
}
