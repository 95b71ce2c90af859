package classify

import (
	"testing"

	"github.com/vitgo/vit/internal/kernels"
)

// TestMeasurePeakInt8 checks that int8's peak is of the instruction its
// kernel runs on, for each int8 kernel this CPU has.
func TestMeasurePeakInt8(t *testing.T) {
	if testing.Short() {
		t.Skip("spins a core for a while")
	}
	want := map[string]string{
		"vpmaddwd":   "measured VPMADDWD+VPADDD ymm loop",
		"avxvnni":    "measured AVX-VNNI VPDPBUSD ymm loop",
		"avx512vnni": "measured VPDPBUSD loop",
		"amx":        "measured AMX TDPBSUD loop",
	}
	for _, k := range kernels.Int8Kernels() {
		restore := kernels.SetInt8Kernel(k)
		g, src := MeasurePeak(1, kernels.Int8)
		restore()
		if w, ok := want[k]; ok && (src != w || !(g > 0)) {
			t.Errorf("int8 on %s: peak %g from %q, want > 0 from %q", k, g, src, w)
		}
		t.Logf("int8 on %s, 1 thread: %s %.1f GOP/s", k, src, g)
	}
}
