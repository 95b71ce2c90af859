package classify

import (
	"math"
	"slices"
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
	got := topK(logits, labels, 0, ScoreLogit, nil, prob, order)
	if len(got) != len(want) {
		t.Fatalf("%d predictions, want %d", len(got), len(want))
	}
	for r, p := range got {
		if p.Index != want[r] || p.Label != labels[want[r]] {
			t.Errorf("rank %d: class %d %q, want %d %q", r, p.Index, p.Label, want[r], labels[want[r]])
		}
	}
	if got := topK(logits, labels, 2, ScoreLogit, nil, prob, order); len(got) != 2 || got[0].Index != 2 || got[1].Index != 6 {
		t.Errorf("k=2: %+v, want classes 2 and 6", got)
	}
}

func TestTopKSoftmax(t *testing.T) {
	logits := []float32{0, float32(math.Log(3))} // [L] → probabilities 1/4, 3/4
	prob := make([]float64, 2)
	order := make([]int, 2)
	got := topK(logits, nil, 0, ScoreSoftmax, nil, prob, order)
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
	if n := testing.AllocsPerRun(20, func() { topK(logits, nil, 5, ScoreSoftmax, nil, prob, order) }); n > 1 {
		t.Errorf("%v allocations per call, want 1 (the predictions)", n)
	}
}

// TestTopKSigmoid: each class's own probability, the order of the logits.
func TestTopKSigmoid(t *testing.T) {
	logits := []float32{0, float32(math.Log(3)), -2} // [L] → 1/2, 3/4, 1/(1+e²)
	prob := make([]float64, 3)
	order := make([]int, 3)
	got := topK(logits, nil, 0, ScoreSigmoid, nil, prob, order)
	want := []struct {
		i int
		p float64
	}{{1, 0.75}, {0, 0.5}, {2, 1 / (1 + math.Exp(2))}}
	for r, w := range want {
		if got[r].Index != w.i || math.Abs(float64(got[r].Score)-w.p) > 1e-7 {
			t.Errorf("rank %d: %+v, want class %d at %g", r, got[r], w.i, w.p)
		}
	}
	if ScoreAuto.resolve(true) != ScoreSigmoid || ScoreAuto.resolve(false) != ScoreSoftmax || ScoreLogit.resolve(true) != ScoreLogit {
		t.Error("ScoreAuto resolves to sigmoid for multi-label models, softmax otherwise; the others stay")
	}
}

// TestTopKMinScore: predictions below the bound are dropped, NaN always,
// and a row can keep none.
func TestTopKMinScore(t *testing.T) {
	nan := float32(math.NaN())
	logits := []float32{0.5, nan, 3, -1, 2} // [L]
	prob := make([]float64, len(logits))
	order := make([]int, len(logits))
	for _, tt := range []struct {
		min  float32
		k    int
		want []int
	}{
		{2, 0, []int{2, 4}},
		{0.5, 0, []int{2, 4, 0}},
		{0.5, 2, []int{2, 4}},
		{-100, 0, []int{2, 4, 0, 3}},
		{10, 0, []int{}},
	} {
		got := topK(logits, nil, tt.k, ScoreLogit, &tt.min, prob, order)
		var idx []int
		for _, p := range got {
			idx = append(idx, p.Index)
		}
		if !slices.Equal(idx, tt.want) {
			t.Errorf("min %g k %d: %v, want %v", tt.min, tt.k, idx, tt.want)
		}
	}
}
