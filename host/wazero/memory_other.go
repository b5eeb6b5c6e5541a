//go:build !(linux || darwin || freebsd)

package wazero

import "github.com/tetratelabs/wazero/experimental"

// guestMemoryAllocator is wazero's own where the host cannot reserve
// address space with mmap.
func guestMemoryAllocator() experimental.MemoryAllocator { return nil }
