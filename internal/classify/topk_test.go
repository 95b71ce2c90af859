package classify

import (
	"math"
	"testing"
)

func TestTopKOrder(t *testing.T) {
	nan := float32(math.NaN())
	logits := []float32{1, nan, 3, 1, 2, nan, 3} // [L]
	labels := []string{"a", "b", "c", "d", "e", "f", "g"}
	prob := make([]float64, len(logits))
	order := make([]int, len(logits))
	// Descending, ties by lower index, NaN last.
	want := []int{2, 6, 4, 0, 3, 1, 5}
	got := topK(logits, labels, 0, false, prob, order)
	if len(got) != len(want) {
		t.Fatalf("%d predictions, want %d", len(got), len(want))
	}
	for r, p := range got {
		if p.Index != want[r] || p.Label != labels[want[r]] {
			t.Errorf("rank %d: class %d %q, want %d %q", r, p.Index, p.Label, want[r], labels[want[r]])
		}
	}
	if got := topK(logits, labels, 2, false, prob, order); len(got) != 2 || got[0].Index != 2 || got[1].Index != 6 {
		t.Errorf("k=2: %+v, want classes 2 and 6", got)
	}
}

func TestTopKSoftmax(t *testing.T) {
	logits := []float32{0, float32(math.Log(3))} // [L] → probabilities 1/4, 3/4
	prob := make([]float64, 2)
	order := make([]int, 2)
	got := topK(logits, nil, 0, true, prob, order)
	if got[0].Index != 1 || math.Abs(float64(got[0].Score)-0.75) > 1e-7 || math.Abs(float64(got[1].Score)-0.25) > 1e-7 {
		t.Errorf("got %+v, want class 1 at 0.75 then class 0 at 0.25", got)
	}
}

// TestTopKAllocs holds the per-image cost of topK to its result slice.
func TestTopKAllocs(t *testing.T) {
	logits := make([]float32, 1000) // [L]
	for i := range logits {
		logits[i] = float32((i * 7919) % 1000)
	}
	prob := make([]float64, len(logits))
	order := make([]int, len(logits))
	if n := testing.AllocsPerRun(20, func() { topK(logits, nil, 5, true, prob, order) }); n > 1 {
		t.Errorf("%v allocations per call, want 1 (the predictions)", n)
	}
}
