package classify

import (
	"testing"

	"github.com/vitgo/vit/internal/kernels"
)

func TestMeasurePeak(t *testing.T) {
	if testing.Short() {
		t.Skip("spins every core for a while")
	}
	g, src := MeasurePeak(1, kernels.FP32)
	if src == "" {
		t.Skip("no FMA probe in this build")
	}
	t.Logf("%s, 1 thread: %.1f GFLOP/s", src, g)
	if g < 1 {
		t.Errorf("peak %g GFLOP/s", g)
	}
}

// TestMeasurePeakBF16 checks that bf16's peak is of the instruction its
// kernel runs on, for each bf16 kernel this CPU has.
func TestMeasurePeakBF16(t *testing.T) {
	if testing.Short() {
		t.Skip("spins a core for a while")
	}
	want := map[string]string{"dpbf16": "measured VDPBF16PS loop", "amx": "measured AMX TDPBF16PS loop"}
	for _, k := range kernels.BF16Kernels() {
		restore := kernels.SetBF16Kernel(k)
		g, src := MeasurePeak(1, kernels.BF16)
		restore()
		if w, ok := want[k]; ok && src != w || g <= 0 && src != "" {
			t.Errorf("bf16 on %s: peak %g from %q, want > 0 from %q", k, g, src, want[k])
		}
		t.Logf("bf16 on %s, 1 thread: %s %.1f GFLOP/s", k, src, g)
	}
}
