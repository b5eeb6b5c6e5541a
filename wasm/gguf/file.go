package gguf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
)

// Open opens and parses a GGUF file. On hosts that support it the file is
// memory-mapped, so tensor data is never copied; call Close when done. A
// file that cannot be mapped is read through instead.
func Open(path string) (*File, error) {
	return open(path, func(f *os.File, size int64) (holding, error) {
		if data, unmap, err := mmapFile(f, size); err == nil {
			return holding{data: data, release: unmap}, nil
		}
		return holding{}, nil
	})
}

// OpenPrivate is Open for a file that will be computed on: where the host
// supports it, the whole file is read into private anonymous memory instead
// of being mapped. Opening costs one read of the file and the process owns a
// copy, but on Linux a decode step streaming the weights from private pages
// ran 10-17% faster than from a shared mapping of the page cache (see
// RATIONALE.md). The copy stays writable (Private) until Seal. Elsewhere,
// or when the file would not fit in the memory left, it is Open.
func OpenPrivate(path string) (*File, error) { return open(path, readPrivate) }

// holding is a whole file in memory, as a loader gives it.
type holding struct {
	data    []byte // nil: read through the file instead
	release func() error
	private bool // the process's own writable copy
}

// open parses the file at path, holding it as load gives it or, when load
// gives nothing, reading tensor data through the file on demand.
func open(path string, load func(*os.File, int64) (holding, error)) (*File, error) {
	osf, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	st, err := osf.Stat()
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("gguf: %w", err)
	}
	h, err := load(osf, st.Size())
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("gguf: loading %s: %w", path, err)
	}
	if h.data != nil {
		osf.Close()
		f, err := FromBytes(h.data)
		if err != nil {
			h.release()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		f.closer, f.private = h.release, h.private
		return f, nil
	}
	f, err := Read(osf, st.Size())
	if err != nil {
		osf.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.closer = osf.Close
	return f, nil
}

// FromBytes parses a GGUF file held in memory; tensor data aliases b.
func FromBytes(b []byte) (*File, error) {
	f, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	f.mapped = b
	return f, nil
}

// Private reports whether f's tensor data is this process's own writable
// copy (OpenPrivate, until Seal), which one model's backend may rewrite in
// place.
func (f *File) Private() bool { return f.private }

// Seal ends a private copy's writable time: on Linux it becomes read-only,
// so that nothing can scribble on the weights. Other files are unchanged.
func (f *File) Seal() error {
	if !f.private {
		return nil
	}
	f.private = false
	if err := protectReadOnly(f.mapped); err != nil {
		return fmt.Errorf("gguf: sealing the private copy: %w", err)
	}
	return nil
}

// Close releases the file or mapping behind f. Tensor data returned by
// TensorData must not be used afterwards.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	c := f.closer
	f.closer = nil
	return c()
}

// Size is the file's length in bytes.
func (f *File) Size() int64 { return f.size }

// Lookup returns the metadata value for key.
func (f *File) Lookup(key string) (Value, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return Value{}, false
	}
	return f.KVs[i].Value, true
}

// Has reports whether key is present.
func (f *File) Has(key string) bool { _, ok := f.kvIndex[key]; return ok }

func (f *File) need(key string) (Value, error) {
	v, ok := f.Lookup(key)
	if !ok {
		return Value{}, fmt.Errorf("gguf: missing metadata key %q", key)
	}
	return v, nil
}

func wrongType(key string, v Value, want string) error {
	return fmt.Errorf("gguf: metadata %q is %s, want %s", key, v.Type, want)
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	v, err := f.need(key)
	if err != nil {
		return "", err
	}
	s, ok := v.V.(string)
	if !ok {
		return "", wrongType(key, v, "string")
	}
	return s, nil
}

// Uint32 returns an integer value of any integer type that fits in a uint32.
func (f *File) Uint32(key string) (uint32, error) {
	v, err := f.need(key)
	if err != nil {
		return 0, err
	}
	n, ok := asInt64(v.V)
	if !ok {
		return 0, wrongType(key, v, "an integer")
	}
	if n < 0 || n > math.MaxUint32 {
		return 0, fmt.Errorf("gguf: metadata %q = %d is out of range", key, n)
	}
	return uint32(n), nil
}

// Float32 returns a float32 or float64 value as float32.
func (f *File) Float32(key string) (float32, error) {
	v, err := f.need(key)
	if err != nil {
		return 0, err
	}
	switch x := v.V.(type) {
	case float32:
		return x, nil
	case float64:
		return float32(x), nil
	}
	return 0, wrongType(key, v, "a float")
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	v, err := f.need(key)
	if err != nil {
		return false, err
	}
	b, ok := v.V.(bool)
	if !ok {
		return false, wrongType(key, v, "bool")
	}
	return b, nil
}

func (f *File) array(key string) (Array, Value, error) {
	v, err := f.need(key)
	if err != nil {
		return Array{}, v, err
	}
	a, ok := v.V.(Array)
	if !ok {
		return Array{}, v, wrongType(key, v, "an array")
	}
	return a, v, nil
}

// Strings returns an array of strings.
func (f *File) Strings(key string) ([]string, error) {
	a, v, err := f.array(key)
	if err != nil {
		return nil, err
	}
	s, ok := a.Values.([]string)
	if !ok {
		return nil, wrongType(key, v, "an array of strings")
	}
	return s, nil
}

// Float32s returns an array of float32.
func (f *File) Float32s(key string) ([]float32, error) {
	a, v, err := f.array(key)
	if err != nil {
		return nil, err
	}
	s, ok := a.Values.([]float32)
	if !ok {
		return nil, wrongType(key, v, "an array of float32")
	}
	return s, nil
}

// Int32s returns an integer array of any element type whose values fit in
// an int32, converted.
func (f *File) Int32s(key string) ([]int32, error) {
	a, v, err := f.array(key)
	if err != nil {
		return nil, err
	}
	if s, ok := a.Values.([]int32); ok {
		return s, nil
	}
	n := a.Len()
	out := make([]int32, n)
	for i := range n {
		var x int64
		var ok bool
		switch s := a.Values.(type) {
		case []uint8:
			x, ok = int64(s[i]), true
		case []int8:
			x, ok = int64(s[i]), true
		case []uint16:
			x, ok = int64(s[i]), true
		case []int16:
			x, ok = int64(s[i]), true
		case []uint32:
			x, ok = int64(s[i]), true
		case []int64:
			x, ok = s[i], true
		case []uint64:
			x, ok = asInt64(s[i])
		}
		if !ok {
			return nil, wrongType(key, v, "an integer array")
		}
		if x < math.MinInt32 || x > math.MaxInt32 {
			return nil, fmt.Errorf("gguf: metadata %q element %d = %d is out of range", key, i, x)
		}
		out[i] = int32(x)
	}
	return out, nil
}

// Tensor returns the info of the named tensor.
func (f *File) Tensor(name string) (*TensorInfo, error) {
	i, ok := f.tenIndex[name]
	if !ok {
		return nil, fmt.Errorf("gguf: missing tensor %q", name)
	}
	return &f.Tensors[i], nil
}

// TensorData returns the bytes of the named tensor. For a memory-mapped or
// in-memory file the slice aliases the file and must not be modified;
// otherwise it is read into a new slice.
func (f *File) TensorData(name string) ([]byte, error) {
	t, err := f.Tensor(name)
	if err != nil {
		return nil, err
	}
	return f.Data(t)
}

// Data returns the bytes of t, as TensorData does.
func (f *File) Data(t *TensorInfo) ([]byte, error) {
	start := f.DataOffset + int64(t.Offset)
	if f.mapped != nil {
		return f.mapped[start : start+t.Size : start+t.Size], nil
	}
	if t.Size > math.MaxInt {
		return nil, fmt.Errorf("gguf: tensor %q of %d bytes does not fit in memory", t.Name, t.Size)
	}
	b := make([]byte, t.Size)
	if _, err := f.r.ReadAt(b, start); err != nil && !(err == io.EOF && len(b) == 0) {
		return nil, fmt.Errorf("gguf: reading tensor %q: %w", t.Name, err)
	}
	return b, nil
}
