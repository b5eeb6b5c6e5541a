package webgpu

import (
	"math"
	"testing"

	"github.com/wisp-llm/wisp/wasm/cpu"
	"github.com/wisp-llm/wisp/wasm/model"
)

func TestSplitRows(t *testing.T) {
	tests := []struct {
		name          string
		rows          int
		rowBytes      int64
		limit         int64
		wantChunkRows []int
	}{
		{"fits", 10, 100, 1 << 20, []int{10}},
		{"exact", 10, 100, 1000, []int{10}},
		{"even split", 10, 100, 500, []int{5, 5}},
		{"ragged", 10, 100, 300, []int{3, 3, 3, 1}},
		{"odd row bytes, limit rounded to words", 5, 18, 37, []int{2, 2, 1}},
		{"one row each", 3, 128 << 20, 128 << 20, []int{1, 1, 1}},
		{"limit above 4 GiB is capped", 4, 1 << 31, 1 << 40, []int{1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := splitRows(tt.rows, tt.rowBytes, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			next := 0
			for _, c := range chunks {
				got = append(got, c.rows)
				if c.first != next || c.offset != int64(c.first)*tt.rowBytes || c.bytes != int64(c.rows)*tt.rowBytes {
					t.Errorf("chunk %+v does not continue at row %d", c, next)
				}
				if c.bytes > min(tt.limit, math.MaxUint32) {
					t.Errorf("chunk of %d bytes over the limit %d", c.bytes, tt.limit)
				}
				next += c.rows
			}
			if !equalInts(got, tt.wantChunkRows) {
				t.Errorf("chunk rows %v, want %v", got, tt.wantChunkRows)
			}
		})
	}
}

func TestSplitRowsRejects(t *testing.T) {
	for _, tt := range []struct {
		rows            int
		rowBytes, limit int64
	}{
		{0, 10, 100},
		{5, 0, 100},
		{5, 101, 100}, // a row larger than a binding
		{5, 8, 3},
	} {
		if _, err := splitRows(tt.rows, tt.rowBytes, tt.limit); err == nil {
			t.Errorf("splitRows(%d, %d, %d) succeeded", tt.rows, tt.rowBytes, tt.limit)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFold(t *testing.T) {
	for _, n := range []int{0, 1, 64, 65535, 65536, 128256, 1 << 24} {
		x, y := fold(n)
		if x > maxWorkgroupsPerDim || y > maxWorkgroupsPerDim || x < 1 || y < 1 {
			t.Errorf("fold(%d) = %d×%d, outside the dimension limit", n, x, y)
		}
		if x*y < n {
			t.Errorf("fold(%d) = %d×%d covers fewer groups", n, x, y)
		}
		if n > 0 && x*y-n >= y {
			t.Errorf("fold(%d) = %d×%d wastes a whole row of groups", n, x, y)
		}
	}
}

func TestParamsLayout(t *testing.T) {
	var p params
	p.u32(7).f32(1.5).u32(1 << 31)
	b := p.bytes()
	if len(b) != 16 {
		t.Fatalf("%d bytes, want 16 (uniform structs round up to 16)", len(b))
	}
	want := []byte{7, 0, 0, 0, 0, 0, 0xc0, 0x3f, 0, 0, 0, 0x80, 0, 0, 0, 0}
	for i := range want {
		if b[i] != want[i] {
			t.Fatalf("bytes % x, want % x", b, want)
		}
	}
	var q params
	for range 5 {
		q.u32(1)
	}
	if len(q.bytes()) != 32 {
		t.Errorf("five fields take %d bytes, want 32", len(q.bytes()))
	}
}

// The host-side RoPE table, applied as the shader applies it, reproduces the
// reference backend's rotation exactly.
func TestRoPETableMatchesReference(t *testing.T) {
	factors := []float32{1, 2, 4, 8}
	for _, rope := range []model.RoPE{
		{Dims: 8, Base: 10000, Scale: 1},
		{Dims: 8, Base: 1e6, Scale: 0.25, NeoX: true},
		{Dims: 8, Base: 500000, Scale: 1, FreqFactors: factors},
	} {
		const heads, headDim, rows, pos = 2, 12, 3, 4093
		ref := cpu.Reference{}
		x := ref.NewAct(rows, heads*headDim)
		for i := range x.Data {
			x.Data[i] = float32(i%7) - 3
		}
		got := append([]float32(nil), x.Data...)
		ref.RoPE(x, headDim, pos, &rope)

		half := rope.Dims / 2
		cs := make([]float32, 2*half*rows)
		ropeTable(cs, &rope, pos, rows)
		for r := range rows {
			for h := range heads {
				for i := range half {
					a, b := 2*i, 2*i+1
					if rope.NeoX {
						a, b = i, i+half
					}
					off := r*heads*headDim + h*headDim
					c, s := cs[2*(r*half+i)], cs[2*(r*half+i)+1]
					x0, x1 := got[off+a], got[off+b]
					got[off+a] = x0*c - x1*s
					got[off+b] = x0*s + x1*c
				}
			}
		}
		for i := range got {
			if got[i] != x.Data[i] {
				t.Fatalf("rope %+v: element %d = %g, reference %g", rope, i, got[i], x.Data[i])
			}
		}
	}
}

func TestCheckAttentionShape(t *testing.T) {
	for _, tt := range []struct {
		heads, kvHeads, headDim int
		ok                      bool
	}{
		{8, 2, 64, true},
		{32, 8, 128, true},
		{8, 8, maxHeadDim, true},
		{8, 3, 64, false},
		{8, 0, 64, false},
		{8, 2, maxHeadDim + 1, false},
		{8, 2, 0, false},
	} {
		if err := checkAttentionShape(tt.heads, tt.kvHeads, tt.headDim); (err == nil) != tt.ok {
			t.Errorf("checkAttentionShape(%d, %d, %d) = %v", tt.heads, tt.kvHeads, tt.headDim, err)
		}
	}
}
