//go:build unix && !wasm

package gguf

import (
	"os"
	"syscall"
)

// mmapFile maps the whole file read-only. A nil slice with a nil error means
// mapping is not possible (empty file) and the caller reads instead.
func mmapFile(f *os.File, size int64) ([]byte, func() error, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() error { return syscall.Munmap(data) }, nil
}
