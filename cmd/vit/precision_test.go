package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/models"
)

// TestPrecisionCommands runs embed and explain on the built-in model's
// examples in each --precision: --precision reaches the model (the
// embeddings differ from fp32's, by little: cosine similarity ≥ 0.99)
// and explain runs on it.
func TestPrecisionCommands(t *testing.T) {
	examples, _ := filepath.Abs(filepath.Join("..", "..", "models", models.Default, "examples"))
	embed := func(prec string) map[string][]float64 {
		ta := newRealApp("")
		ta.openEmbedder = openModelEmbedder
		if code := ta.run("embed", "--precision", prec, examples); code != exitOK {
			t.Fatalf("embed --precision %s: exit %d: %s", prec, code, ta.err.String())
		}
		out := map[string][]float64{}
		for _, line := range strings.Split(strings.TrimSpace(ta.out.String()), "\n") {
			var r struct {
				Path      string
				Embedding []float64
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			out[r.Path] = r.Embedding
		}
		return out
	}
	ref := embed("fp32")
	for _, prec := range []string{"bf16", "int8"} {
		got := embed(prec)
		if len(got) != len(ref) {
			t.Fatalf("%s: %d embeddings, fp32 %d", prec, len(got), len(ref))
		}
		same, total := 0, 0
		for path, e := range got {
			r := ref[path]
			total += len(e)
			var dot, ne, nr float64
			for i := range e {
				dot, ne, nr = dot+e[i]*r[i], ne+e[i]*e[i], nr+r[i]*r[i]
				if e[i] == r[i] {
					same++
				}
			}
			if cos := dot / math.Sqrt(ne*nr); !(cos >= 0.99) {
				t.Errorf("%s: %s: cosine similarity with fp32 %.4f", prec, path, cos)
			}
		}
		if same == total {
			t.Errorf("%s: every embedding value equals fp32's: the precision did not reach the model", prec)
		}
		t.Chdir(t.TempDir())
		ta := newRealApp("")
		if code := ta.run("explain", "-f", "jsonl", "--size", "64", "--precision", prec, examples); code != exitOK {
			t.Fatalf("explain --precision %s: exit %d: %s", prec, code, ta.err.String())
		}
	}
}
