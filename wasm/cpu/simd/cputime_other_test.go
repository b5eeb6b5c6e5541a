//go:build !linux

package simd

import "time"

func threadCPU() time.Duration { return 0 }
