package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkGELU/<gelu>/<isa>/<n> times the exact-erf GELU of the float32
// path (exact) and the bf16 and int8 paths' geluLow (low) on n values: 384 is one
// 12×32 output tile of the fused fc1 epilogue (in L1), 1<<16 a long run
// through L2. Each iteration first copies the inputs back in (GELU works in
// place, and repeated application would drift towards zeros and
// subnormals), so ns/elem includes that copy, the same for every build.
func BenchmarkGELU(b *testing.B) {
	gelus := []struct {
		name string
		act  Act
	}{{"exact", ActGELU}, {"low", actGELULow}}
	for _, g := range gelus {
		for _, s := range vectorISAs() {
			for _, n := range []int{384, 1 << 16} {
				b.Run(fmt.Sprintf("%s/%v/%d", g.name, s, n), func(b *testing.B) {
					defer setISA(s)()
					r := rand.New(rand.NewPCG(1, 2))
					src := make([]float32, n) // [n] fc1 outputs: N(0, 2²)
					for i := range src {
						src[i] = float32(r.NormFloat64() * 2)
					}
					x := make([]float32, n) // [n] working copy
					b.SetBytes(int64(4 * n))
					b.ResetTimer()
					for range b.N {
						copy(x, src)
						Activate(g.act, x)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
				})
			}
		}
	}
}
