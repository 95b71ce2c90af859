package classify

import (
	"cmp"
	"slices"

	"github.com/vitgo/vit/internal/kernels"
)

// topK returns the k best classes of one row of logits [L] (all when k is 0
// or more than L), best first, ties by lower index. With softmax the scores
// are probabilities (computed in float64). prob and order are [L] scratch.
func topK(logits []float32, labels []string, k int, softmax bool, prob []float64, order []int) []Prediction {
	nl := len(logits)
	if k <= 0 || k > nl {
		k = nl
	}
	for i, v := range logits {
		prob[i] = float64(v)
		order[i] = i
	}
	if softmax {
		kernels.Softmax64(prob)
	}
	// Descending, NaN last (cmp.Compare orders NaN first); stable keeps ties
	// by lower index. Unlike sort.SliceStable it allocates nothing per image.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(prob[b], prob[a]) })
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

// TopK returns the k most probable classes of one row of logits [L] as
// softmax probabilities, like a classification record's (k as topK's).
func TopK(logits []float32, labels []string, k int) []Prediction {
	return topK(logits, labels, k, true, make([]float64, len(logits)), make([]int, len(logits)))
}
