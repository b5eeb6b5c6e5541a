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
			defer func(f func() (int64, bool)) { availableMemory = f }(availableMemory)
			availableMemory = func() (int64, bool) { return tc.available, tc.available >= 0 }
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
			data, release, err := readPrivate(f, int64(len(content)))
			if err != nil {
				t.Fatal(err)
			}
			defer release()
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
