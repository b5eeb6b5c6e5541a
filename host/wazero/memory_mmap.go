//go:build linux || darwin || freebsd

package wazero

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// guestMemoryAllocator reserves each guest's largest memory up front as
// address space the OS backs only where it is written. wazero's own
// memory is a Go slice that grows by appending, copying the whole memory
// at each growth: loading a 2.3 GiB model that way took over a minute and
// as much again in page faults. Unmapping also hands a crashed guest's
// memory back to the OS at once, without waiting for the host's GC.
func guestMemoryAllocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(capBytes, maxBytes uint64) experimental.LinearMemory {
		if maxBytes > 0 && maxBytes <= 1<<32 {
			b, err := syscall.Mmap(-1, 0, int(maxBytes), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
			if err == nil {
				return &mappedMemory{buf: b}
			}
		}
		// No address space to reserve (a strict overcommit policy, say):
		// a Go slice with the whole capacity, which is virtual too until
		// written.
		return &sliceMemory{buf: make([]byte, 0, max(capBytes, maxBytes))}
	})
}

// mappedMemory is one guest's memory in a private anonymous mapping.
type mappedMemory struct{ buf []byte }

func (m *mappedMemory) Reallocate(size uint64) []byte {
	if m.buf == nil || size > uint64(len(m.buf)) {
		return nil // past the reservation: the guest's memory.grow fails
	}
	return m.buf[:size]
}

func (m *mappedMemory) Free() {
	if m.buf != nil {
		syscall.Munmap(m.buf)
		m.buf = nil
	}
}

// sliceMemory is a guest's memory as a Go slice allocated at its largest
// size, so that growing never copies it.
type sliceMemory struct{ buf []byte }

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > uint64(cap(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

func (m *sliceMemory) Free() { m.buf = nil }
