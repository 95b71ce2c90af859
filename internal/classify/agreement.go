package classify

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// AgreementReport compares a model run in a low precision with the same
// model in fp32, image by image; its JSON form is `vit bench --agreement
// DIR --format json`.
type AgreementReport struct {
	Model        string   `json:"model"`
	Precision    string   `json:"precision"`
	Images       int      `json:"images"`         // images both runs classified
	Failed       int      `json:"failed"`         // inputs that failed to decode (in both runs alike)
	Top1         float64  `json:"top1_agreement"` // fraction of images whose best class is fp32's
	Top5         float64  `json:"top5_overlap"`   // mean of |top-5 ∩ fp32's top-5| / 5 (top-k of fewer classes: all of them)
	MaxLogitDiff float64  `json:"max_logit_diff"` // largest |logit − fp32 logit| over every image and class
	MaxPath      string   `json:"max_logit_diff_path,omitempty"`
	Differ       int      `json:"top1_differ"`             // images whose best class differs
	Disagree     []string `json:"top1_disagree,omitempty"` // the first of them
}

const maxDisagreeListed = 20

// Agreement runs ref (fp32) and test (the same model in another
// precision) over the inputs in, one after the other with options o
// (TopK, Logits and Record are set here), and compares their logits.
func Agreement(ctx context.Context, ref, test Model, in Inputs, o Options) (AgreementReport, error) {
	var r AgreementReport
	if ref.OutLen() != test.OutLen() {
		return r, fmt.Errorf("agreement: models with %d and %d outputs", ref.OutLen(), test.OutLen())
	}
	a, err := collectLogits(ctx, ref, in, o)
	if err != nil {
		return r, err
	}
	b, err := collectLogits(ctx, test, in, o)
	if err != nil {
		return r, err
	}
	if len(a) != len(b) {
		return r, fmt.Errorf("agreement: the inputs changed between the runs (%d, then %d records)", len(a), len(b))
	}
	var top1, top5 float64
	for i := range a {
		x, y := a[i], b[i]
		if x.path != y.path {
			return r, fmt.Errorf("agreement: the inputs changed between the runs (%q, then %q)", x.path, y.path)
		}
		if x.logits == nil || y.logits == nil {
			r.Failed++
			continue
		}
		r.Images++
		tx, ty := topIndices(x.logits, 5), topIndices(y.logits, 5)
		if tx[0] == ty[0] {
			top1++
		} else if r.Differ++; len(r.Disagree) < maxDisagreeListed {
			r.Disagree = append(r.Disagree, x.path)
		}
		common := 0
		for _, c := range ty {
			if slices.Contains(tx, c) {
				common++
			}
		}
		top5 += float64(common) / float64(len(tx))
		for c := range x.logits {
			if d := math.Abs(float64(x.logits[c]) - float64(y.logits[c])); d > r.MaxLogitDiff || math.IsNaN(d) {
				r.MaxLogitDiff, r.MaxPath = d, x.path
			}
		}
	}
	if r.Images > 0 {
		r.Top1, r.Top5 = top1/float64(r.Images), top5/float64(r.Images)
	}
	return r, nil
}

// logitRow is one input's logits [L] (nil when it failed).
type logitRow struct {
	path   string
	logits []float32
}

// collectLogits runs m over in and returns every record's logits, in
// input order.
func collectLogits(ctx context.Context, m Model, in Inputs, o Options) ([]logitRow, error) {
	o.Record = func(r *Result, out []float32) error {
		r.Value = slices.Clone(out)
		return nil
	}
	c := &logitCollector{}
	if _, err := Run(ctx, m, in, o, c); err != nil {
		return nil, err
	}
	return c.rows, nil
}

// logitCollector is a RecordWriter that keeps the logits.
type logitCollector struct{ rows []logitRow }

func (c *logitCollector) Begin() error { return nil }
func (c *logitCollector) End() error   { return nil }
func (c *logitCollector) Write(r *Result) error {
	row := logitRow{path: r.Path}
	if v, ok := r.Value.([]float32); ok && r.Err == nil {
		row.logits = v
	}
	c.rows = append(c.rows, row)
	return nil
}

// topIndices returns the indices of the k largest values of v (all of
// them if fewer), largest first, ties to the lower index.
func topIndices(v []float32, k int) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] > v[b]:
			return -1
		case v[a] < v[b]:
			return 1
		}
		return 0
	})
	return idx[:min(k, len(idx))]
}

// WriteText writes the report as aligned "field  value" lines.
func (r AgreementReport) WriteText(w io.Writer) error {
	_, err := fmt.Fprintf(w, `model            %s
precision        %s against fp32
images           %d (%d failed to decode)
top-1 agreement  %.2f%%
top-5 overlap    %.2f%%
max logit diff   %.4g (%s)
`, r.Model, r.Precision, r.Images, r.Failed, 100*r.Top1, 100*r.Top5, r.MaxLogitDiff, r.MaxPath)
	if err == nil && len(r.Disagree) > 0 {
		_, err = fmt.Fprintf(w, "top-1 differs    %d: %s\n", r.Differ, strings.Join(r.Disagree, " "))
	}
	return err
}
