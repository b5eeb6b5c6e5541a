package wazero

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wisp-llm/wisp/wasm/abi"
)

// sparseGGUF writes a GGUF file whose one F32 tensor of rows × cols
// elements needs more than the address space: the header is real and the
// data a hole, so the file takes no disk space.
func sparseGGUF(t testing.TB, rows, cols uint64) string {
	t.Helper()
	var h []byte
	u32 := func(v uint32) { h = binary.LittleEndian.AppendUint32(h, v) }
	u64 := func(v uint64) { h = binary.LittleEndian.AppendUint64(h, v) }
	str := func(s string) { u64(uint64(len(s))); h = append(h, s...) }
	h = append(h, "GGUF"...)
	u32(3) // version
	u64(1) // tensors
	u64(1) // metadata keys
	str("general.architecture")
	u32(8) // string
	str("llama")
	str("token_embd.weight")
	u32(2)
	u64(cols)
	u64(rows)
	u32(0) // F32
	u64(0) // offset in the data section
	for len(h)%32 != 0 {
		h = append(h, 0)
	}
	path := filepath.Join(t.TempDir(), "huge.gguf")
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(h))+int64(rows*cols*4)); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestModelPastWasm32IsRefused: a model whose tensors need more than 4 GiB
// is refused with too_large by the host before the guest starts, and by
// the guest itself (wisp_load_begin, as a host that does not check would
// call it) before it allocates anything.
func TestModelPastWasm32IsRefused(t *testing.T) {
	huge := sparseGGUF(t, 300_000, 4096) // 4.58 GiB of F32
	rt := runtimeWasm(t, false)
	_, err := Open(huge, Options{Runtime: rt, CacheDir: cacheDir})
	var ae *abi.Error
	if !errors.As(err, &ae) || ae.Code != abi.CodeTooLarge {
		t.Fatalf("host: got %v, want too_large", err)
	}

	e := open(t, Options{Runtime: rt})
	st, err := os.Stat(huge)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	g, before := e.guest, e.guest.mod.Memory().Size()
	_, err = e.call(context.Background(), g, "wisp_load_begin", uint64(st.Size()))
	after := g.mod.Memory().Size()
	e.mu.Unlock()
	if !errors.As(err, &ae) || ae.Code != abi.CodeTooLarge || !strings.Contains(ae.Message, "4 GiB") {
		t.Fatalf("guest: got %v, want too_large naming the 4 GiB limit", err)
	}
	if after > before+64<<20 {
		t.Fatalf("the guest's memory grew from %d to %d bytes before refusing", before, after)
	}
	// The guest lives on.
	res, err := e.Generate(context.Background(), abi.GenerateRequest{Text: "Once", MaxTokens: 3}, func(abi.Delta) error { return nil })
	if err != nil || res.CompletionTokens != 3 {
		t.Fatalf("after the refusal: %+v, %v", res, err)
	}
	if e.Restarts() != 0 {
		t.Fatal("the refusal restarted the guest")
	}
}

// paddedStories is stories260K followed by zeros up to size bytes, which
// GGUF readers ignore: a file past 2 GiB whose output is the golden one.
func paddedStories(t testing.TB, size int64) string {
	t.Helper()
	src, err := os.Open(stories)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "stories-padded.gguf")
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestModelPast2GiB loads a 2 GiB + 64 MiB file into the guest in chunks; the
// guest's heap then spans more than 2 GiB, which signed 32-bit offsets
// anywhere on the way would break.
func TestModelPast2GiB(t *testing.T) {
	if os.Getenv("WISP_BIG_MODEL_TESTS") != "1" {
		t.Skip("writes 2 GiB into guest memory (30 s on a busy 2-core machine): set WISP_BIG_MODEL_TESTS=1")
	}
	const size = 2<<30 + 64<<20
	path := paddedStories(t, size)
	e, err := Open(path, Options{Runtime: runtimeWasm(t, false), CacheDir: cacheDir, Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got := e.Info().FileBytes; got != size {
		t.Fatalf("the guest reports %d model bytes, want %d", got, size)
	}
	res, err := e.Generate(context.Background(), greedy200(t, e), func(abi.Delta) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := golden(t); res.Text != want {
		t.Fatalf("generated text differs from llama2.c's:\n got %q\nwant %q", res.Text, want)
	}
}
