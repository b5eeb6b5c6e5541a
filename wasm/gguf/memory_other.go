//go:build !linux

package gguf

// systemAvailableMemory is unknown here; OpenPrivate copies regardless.
func systemAvailableMemory() (int64, bool) { return 0, false }

// adviseHugePages has nothing to advise here.
func adviseHugePages([]byte) {}

// protectReadOnly is not offered by every system's syscall package; the
// copy stays writable here.
func protectReadOnly([]byte) error { return nil }
