//go:build !linux

package gguf

// systemAvailableMemory is unknown here; OpenPrivate copies regardless.
func systemAvailableMemory() (int64, bool) { return 0, false }
