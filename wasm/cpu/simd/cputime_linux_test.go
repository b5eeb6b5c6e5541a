package simd

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time the calling OS thread has used. On a machine
// shared with other work, CPU time per operation is steadier than wall time.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
