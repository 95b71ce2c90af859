package classify

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/vitgo/vit/internal/kernels"
)

// ScoreFunc is how a run scores the classes from one row of logits, as the
// Hugging Face pipeline's function_to_apply.
type ScoreFunc uint8

const (
	ScoreAuto    ScoreFunc = iota // the model's own: ScoreSigmoid for a multi-label model, else ScoreSoftmax
	ScoreSoftmax                  // probabilities over the classes, summing to 1
	ScoreSigmoid                  // each class's own probability, 1 / (1 + e^−logit)
	ScoreLogit                    // the raw logits
)

// ScoreNames are the names ParseScoreFunc reads, in ScoreFunc order.
var ScoreNames = []string{"prob", "softmax", "sigmoid", "logit"}

// ParseScoreFunc reads a --scores value: prob (the model's own), softmax,
// sigmoid or logit (plurals and "probability" too).
func ParseScoreFunc(s string) (ScoreFunc, error) {
	switch s {
	case "prob", "probs", "probability", "probabilities":
		return ScoreAuto, nil
	case "softmax":
		return ScoreSoftmax, nil
	case "sigmoid":
		return ScoreSigmoid, nil
	case "logit", "logits":
		return ScoreLogit, nil
	}
	return 0, fmt.Errorf("want prob, softmax, sigmoid or logit")
}

// Probabilities reports whether the scores are probabilities (in [0, 1]),
// not logits.
func (f ScoreFunc) Probabilities() bool { return f != ScoreLogit }

// resolve turns ScoreAuto into the model's own function.
func (f ScoreFunc) resolve(multiLabel bool) ScoreFunc {
	switch {
	case f != ScoreAuto:
		return f
	case multiLabel:
		return ScoreSigmoid
	}
	return ScoreSoftmax
}

// topK returns the k best classes of one row of logits [L] (all when k is 0
// or more than L), best first, ties by lower index, scored by fn (a
// resolved ScoreFunc; probabilities computed in float64), without those
// scoring below minScore (nil: none dropped; a NaN score is below any).
// prob and order are [L] scratch.
func topK(logits []float32, labels []string, k int, fn ScoreFunc, minScore *float32, prob []float64, order []int) []Prediction {
	nl := len(logits)
	if k <= 0 || k > nl {
		k = nl
	}
	for i, v := range logits {
		prob[i] = float64(v)
		order[i] = i
	}
	switch fn {
	case ScoreSoftmax:
		kernels.Softmax64(prob)
	case ScoreSigmoid:
		for i, v := range prob {
			prob[i] = 1 / (1 + math.Exp(-v))
		}
	}
	// Descending, NaN last (cmp.Compare orders NaN first); stable keeps ties
	// by lower index. Unlike sort.SliceStable it allocates nothing per image.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(prob[b], prob[a]) })
	if minScore != nil {
		// Scores descend, NaN last: keep the prefix at or above the bound.
		n := 0
		for n < k && float32(prob[order[n]]) >= *minScore {
			n++
		}
		k = n
	}
	preds := make([]Prediction, k)
	for r := range k {
		i := order[r]
		label := ""
		if i < len(labels) {
			label = labels[i]
		}
		preds[r] = Prediction{Index: i, Label: label, Score: float32(prob[i])}
	}
	return preds
}

// TopK returns the k best classes of one row of logits [L], scored as a
// classification record's are: by fn, ScoreAuto meaning the model's own
// (sigmoid when multiLabel, else softmax); k as topK's.
func TopK(logits []float32, labels []string, k int, fn ScoreFunc, multiLabel bool) []Prediction {
	return topK(logits, labels, k, fn.resolve(multiLabel), nil, make([]float64, len(logits)), make([]int, len(logits)))
}
