package cpu_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, all threads together.
// On a machine shared with other work, CPU time per token at one thread is
// a steadier estimate of the speed on an idle machine than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
