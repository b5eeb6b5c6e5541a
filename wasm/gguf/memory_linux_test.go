//go:build linux

package gguf

import "testing"

func TestParseMemAvailable(t *testing.T) {
	for _, tc := range []struct {
		meminfo string
		want    int64
		ok      bool
	}{
		{"MemTotal:       24576000 kB\nMemFree:  100 kB\nMemAvailable:   24024700 kB\n", 24024700 << 10, true},
		{"MemTotal:       24576000 kB\n", 0, false},
		{"MemAvailable:   lots kB\n", 0, false},
		{"MemAvailable:   -5 kB\n", 0, false},
		{"MemAvailable:   99999999999999999 kB\n", 0, false},
	} {
		got, ok := parseMemAvailable([]byte(tc.meminfo))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %d, %v; want %d, %v", tc.meminfo, got, ok, tc.want, tc.ok)
		}
	}
	if avail, ok := systemAvailableMemory(); !ok || avail <= 0 {
		t.Errorf("this machine's available memory: %d, %v", avail, ok)
	}
}
