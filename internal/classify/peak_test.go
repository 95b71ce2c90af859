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
