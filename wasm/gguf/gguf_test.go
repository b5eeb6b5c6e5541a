package gguf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/tensor"
)

const testdata = "../../../shared/testdata"

func testFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"models/*.gguf", "tokenizers/*/*.gguf"} {
		m, err := filepath.Glob(filepath.Join(testdata, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %d GGUF files under %s", len(files), testdata)
	}
	return files
}

// TestRoundTrip reads every shared GGUF file and writes it back: the bytes
// must be identical, metadata and tensor data alike.
func TestRoundTrip(t *testing.T) {
	for _, path := range testFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tensors, err := f.FileTensors()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, f.Version, f.KVs, tensors); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			if !bytes.Equal(got, want) {
				n := 0
				for n < len(got) && n < len(want) && got[n] == want[n] {
					n++
				}
				t.Fatalf("rewritten file differs from the original at byte %d (lengths %d and %d)", n, len(got), len(want))
			}
		})
	}
}

func TestReadThroughReaderAt(t *testing.T) {
	path := filepath.Join(testdata, "models/stories260K.gguf")
	osf, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer osf.Close()
	st, _ := osf.Stat()
	f, err := Read(osf, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	arch, err := f.String("general.architecture")
	if err != nil || arch != "llama" {
		t.Fatalf("general.architecture = %q, %v", arch, err)
	}
	emb, err := f.Tensor("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	if emb.Type != tensor.F32 || emb.Dims[0] != 64 || emb.Dims[1] != 512 {
		t.Fatalf("token_embd.weight = %v %v", emb.Type, emb.Dims)
	}
	viaRead, err := f.Data(emb)
	if err != nil {
		t.Fatal(err)
	}
	mapped, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.Close()
	viaMap, err := mapped.TensorData("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaRead, viaMap) {
		t.Fatal("tensor data differs between ReaderAt and mapped access")
	}
	private, err := OpenPrivate(path)
	if err != nil {
		t.Fatal(err)
	}
	viaPrivate, err := private.TensorData("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(viaRead, viaPrivate) {
		t.Fatal("tensor data differs between ReaderAt and a private copy")
	}
	if err := private.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestAccessorErrorsNameTheKey(t *testing.T) {
	f, err := Open(filepath.Join(testdata, "models/stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for name, call := range map[string]func() error{
		"missing string": func() error { _, err := f.String("llama.no_such_key"); return err },
		"wrong type":     func() error { _, err := f.Uint32("general.architecture"); return err },
		"missing tensor": func() error { _, err := f.Tensor("blk.99.attn_q.weight"); return err },
		"not strings":    func() error { _, err := f.Strings("tokenizer.ggml.scores"); return err },
	} {
		err := call()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), `"`) {
			t.Errorf("%s: error %q does not name the key", name, err)
		}
	}
}

// builder makes small GGUF files for error tests, byte by byte.
type builder struct{ bytes.Buffer }

func (b *builder) u32(v uint32) *builder {
	b.Write([]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)})
	return b
}
func (b *builder) u64(v uint64) *builder { b.u32(uint32(v)); b.u32(uint32(v >> 32)); return b }
func (b *builder) str(s string) *builder { b.u64(uint64(len(s))); b.WriteString(s); return b }

func validFile(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	err := Write(&buf, 3, []KV{
		{"general.architecture", StringValue("llama")},
		{"nested", Value{TypeArray, Array{TypeArray, []Array{{TypeInt32, []int32{1, 2}}, {TypeString, []string{"a"}}}}}},
	}, []NewTensor{{Name: "w", Dims: []uint64{32, 2}, Type: tensor.Q8_0, Data: make([]byte, 68)}})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMalformedFiles(t *testing.T) {
	valid := validFile(t)
	if _, err := FromBytes(valid); err != nil {
		t.Fatalf("valid file: %v", err)
	}
	header := func(nTensors, nKVs uint64) *builder {
		b := &builder{}
		b.WriteString("GGUF")
		b.u32(3).u64(nTensors).u64(nKVs)
		return b
	}
	tensorFile := func(typ uint32, offset uint64, dim uint64) []byte {
		b := header(1, 0)
		b.str("w").u32(1).u64(dim).u32(typ).u64(offset)
		for b.Len()%32 != 0 {
			b.WriteByte(0)
		}
		b.Write(make([]byte, 64))
		return b.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"bad magic", append([]byte("GGML"), valid[4:]...), "bad magic"},
		{"version 1", append([]byte("GGUF\x01\x00\x00\x00"), valid[8:]...), "unsupported version"},
		{"truncated header", valid[:20], "truncated"},
		{"truncated metadata", valid[:60], "truncated"},
		{"truncated data", valid[:len(valid)-40], "beyond the end"},
		{"huge tensor count", header(1<<40, 0).Bytes(), "tensor count"},
		{"huge metadata count", header(0, 1<<40).Bytes(), "metadata count"},
		{"huge string", header(0, 1).u64(1 << 50).u64(0).u64(0).Bytes(), "string of"},
		{"huge array", header(0, 1).str("k").u32(uint32(TypeArray)).u32(uint32(TypeUint32)).u64(1 << 40).Bytes(), "array of"},
		{"unknown value type", header(0, 1).str("k").u32(99).Bytes(), "unknown value type"},
		{"duplicate key", header(0, 2).str("k").u32(uint32(TypeUint8)).u32(0).str("k").u32(uint32(TypeUint8)).u32(0).Bytes()[:0], ""},
		{"unknown tensor type", tensorFile(77, 0, 16), "unknown type"},
		{"tensor out of bounds", tensorFile(uint32(tensor.F32), 1024, 16), "beyond the end"},
		{"unaligned tensor", tensorFile(uint32(tensor.F32), 4, 8), "not aligned"},
		{"partial block", tensorFile(uint32(tensor.Q8_0), 0, 16), "block size"},
		{"zero dimension", tensorFile(uint32(tensor.F32), 0, 0), "dimension"},
		{"bad bool", header(0, 1).str("k").u32(uint32(TypeBool)).Bytes(), "truncated"},
	}
	// A duplicate key needs well-formed values, built here.
	dup := header(0, 2)
	dup.str("k").u32(uint32(TypeUint8)).WriteByte(1)
	dup.str("k").u32(uint32(TypeUint8)).WriteByte(2)
	tests[11].data, tests[11].want = dup.Bytes(), "duplicate metadata key"
	badBool := header(0, 1)
	badBool.str("k").u32(uint32(TypeBool)).WriteByte(7)
	tests[len(tests)-1].data, tests[len(tests)-1].want = badBool.Bytes(), "bool value"

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromBytes(tt.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %q does not wrap ErrFormat", err)
			}
		})
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		kvs     []KV
		tensors []NewTensor
	}{
		{"wrong data size", nil, []NewTensor{{Name: "w", Dims: []uint64{32}, Type: tensor.Q8_0, Data: make([]byte, 10)}}},
		{"partial block", nil, []NewTensor{{Name: "w", Dims: []uint64{20}, Type: tensor.Q8_0, Data: make([]byte, 34)}}},
		{"duplicate tensor", nil, []NewTensor{{Name: "w", Dims: []uint64{1}, Type: tensor.F32, Data: make([]byte, 4)}, {Name: "w", Dims: []uint64{1}, Type: tensor.F32, Data: make([]byte, 4)}}},
		{"duplicate key", []KV{{"a", Uint32Value(1)}, {"a", Uint32Value(2)}}, nil},
		{"mismatched value type", []KV{{"a", Value{TypeUint32, "x"}}}, nil},
		{"bad alignment", []KV{{"general.alignment", Uint32Value(3)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Write(&bytes.Buffer{}, 3, tt.kvs, tt.tensors); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// FuzzRead feeds arbitrary bytes to the reader: it must return a File or an
// error, never panic, and whatever it accepts must write back readably.
func FuzzRead(f *testing.F) {
	f.Add(validFile(f))
	for _, path := range testFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 4096 {
			data = data[:4096] // the header is what the fuzzer should work on
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := FromBytes(data)
		if err != nil {
			return
		}
		tensors, err := g.FileTensors()
		if err != nil {
			t.Fatalf("accepted file has unreadable tensors: %v", err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, g.Version, g.KVs, tensors); err != nil {
			t.Fatalf("accepted file cannot be written back: %v", err)
		}
		if _, err := FromBytes(buf.Bytes()); err != nil {
			t.Fatalf("rewritten file does not read: %v", err)
		}
	})
}

func TestReadHeaderFromPrefix(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "models/stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := FromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadHeader(data[:100], int64(len(data))); !errors.Is(err, ErrNeedMore) {
		t.Fatalf("short prefix: %v, want ErrNeedMore", err)
	}
	h, err := ReadHeader(data[:full.DataOffset], int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Tensors) != len(full.Tensors) || len(h.KVs) != len(full.KVs) || h.DataOffset != full.DataOffset {
		t.Fatal("header from the prefix differs from the whole file's")
	}
	if _, err := h.TensorData("token_embd.weight"); err == nil {
		t.Fatal("tensor data from a header-only file")
	}
	if _, err := ReadHeader(append([]byte("GGML"), data[4:200]...), int64(len(data))); errors.Is(err, ErrNeedMore) || err == nil {
		t.Fatalf("bad magic in a prefix: %v", err)
	}
}
