//go:build unix && !wasm

package gguf

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadPrivate checks that readPrivate copies a file (a later write to
// the file does not show) unless the memory left is too small, in which
// case it maps the file (the write shows).
func TestReadPrivate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		available int64
		wantCopy  bool
	}{
		{"plenty of memory", 1 << 40, true},
		{"memory unknown", -1, true},
		{"too little memory", 4096, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(f func() (int64, bool), chunk int) { availableMemory, readChunk = f, chunk }(availableMemory, readChunk)
			availableMemory = func() (int64, bool) { return tc.available, tc.available >= 0 }
			readChunk = 1 << 20 // four chunks, read in parallel
			path := filepath.Join(t.TempDir(), "weights")
			content := make([]byte, 3<<20+5)
			for i := range content {
				content[i] = byte(i % 251)
			}
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h, err := readPrivate(f, int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			defer h.release()
			data := h.data
			if h.private != tc.wantCopy {
				t.Fatalf("private = %v, want %v", h.private, tc.wantCopy)
			}
			if string(data) != string(content) {
				t.Fatal("the data differs from the file")
			}
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.WriteAt([]byte{0xee}, 1<<20); err != nil {
				t.Fatal(err)
			}
			w.Close()
			if copied := data[1<<20] != 0xee; copied != tc.wantCopy {
				t.Fatalf("copied = %v, want %v", copied, tc.wantCopy)
			}
		})
	}
}

// A file shorter than the size asked for (cut while opening) is an error.
func TestReadPrivateShortFile(t *testing.T) {
	defer func(chunk int) { readChunk = chunk }(readChunk)
	readChunk = 1 << 20
	path := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(path, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if h, err := readPrivate(f, 4<<20); err == nil || h.data != nil {
		t.Fatalf("read %d bytes of a 3 MiB file as 4 MiB, err %v", len(h.data), err)
	}
}

// OpenPrivate's copy is writable until Seal, and Private says so.
func TestOpenPrivateSeal(t *testing.T) {
	f, err := OpenPrivate(filepath.Join(testdata, "models/stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !f.Private() {
		t.Fatal("OpenPrivate's file is not private")
	}
	data, err := f.TensorData("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	data[0] ^= 0xff // writable while private
	if err := f.Seal(); err != nil {
		t.Fatal(err)
	}
	if f.Private() {
		t.Fatal("still private after Seal")
	}
	mapped, err := Open(filepath.Join(testdata, "models/stories260K.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.Close()
	if mapped.Private() || mapped.Seal() != nil {
		t.Fatal("a mapped file claims to be private, or fails to seal")
	}
	orig, err := mapped.TensorData("token_embd.weight")
	if err != nil {
		t.Fatal(err)
	}
	if orig[0] != data[0]^0xff {
		t.Fatal("the write to the private copy reached the file")
	}
}
