package convert

import (
	"io"
	"testing"
)

func TestZZProf(t *testing.T) {
	sh, _ := lookupShape("qwen2.5-0.5b")
	sh.layers = 1
	m, _ := lookupMix("Q8_0")
	if _, err := convert(sh.tensors(1), m, 1, false, nil); err != nil {
		t.Fatal(err)
	}
	_ = io.Discard
}
