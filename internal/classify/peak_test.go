package classify

import "testing"

func TestMeasurePeak(t *testing.T) {
	if testing.Short() {
		t.Skip("spins every core for a while")
	}
	g, isa := MeasurePeak(1)
	if isa == "" {
		t.Skip("no FMA probe in this build")
	}
	t.Logf("%s FMA peak, 1 thread: %.1f GFLOP/s", isa, g)
	if g < 1 {
		t.Errorf("peak %g GFLOP/s", g)
	}
}
