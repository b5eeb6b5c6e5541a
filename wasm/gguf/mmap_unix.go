//go:build unix && !wasm

package gguf

import (
	"fmt"
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

// availableMemory is systemAvailableMemory, replaced in tests.
var availableMemory = systemAvailableMemory

// readPrivate reads the whole file into an anonymous private mapping, made
// read-only once filled so that the weights cannot be scribbled on. Anonymous
// memory rather than a Go slice keeps gigabytes out of the garbage
// collector's heap accounting and returns them to the OS on Close.
//
// A file that would not fit in the memory left (with an eighth to spare) is
// mapped instead: paging it in from the file is slow, but a private copy
// that does not fit would be swapped or killed.
func readPrivate(f *os.File, size int64) ([]byte, func() error, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, nil
	}
	if avail, ok := availableMemory(); ok && size > avail-avail/8 {
		return mmapFile(f, size)
	}
	data, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil, fmt.Errorf("reserving %d bytes: %w", size, err)
	}
	release := func() error { return syscall.Munmap(data) }
	const chunk = 64 << 20 // bounded reads: one huge read can be cut short
	for off := 0; off < len(data); off += chunk {
		if _, err := f.ReadAt(data[off:min(off+chunk, len(data))], int64(off)); err != nil {
			release()
			return nil, nil, fmt.Errorf("reading at %d: %w", off, err)
		}
	}
	if err := syscall.Mprotect(data, syscall.PROT_READ); err != nil {
		release()
		return nil, nil, fmt.Errorf("protecting: %w", err)
	}
	return data, release, nil
}
