package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify"
)

// TestClassifyArgs maps command lines to parsed options, or to usage errors.
func TestClassifyArgs(t *testing.T) {
	def := func(edit func(o *classifyOptions)) classifyOptions {
		o := classifyOptions{TopK: 5, runOptions: runOptions{Format: "text", BatchSize: 8, Threads: 2, Progress: "auto", MaxMemory: 256 << 20, Inputs: []string{"a.png"}}}
		if edit != nil {
			edit(&o)
		}
		return o
	}
	tests := []struct {
		args []string
		env  map[string]string
		want classifyOptions
		err  string // substring of the usage error
	}{
		{args: []string{"a.png"}, want: def(nil)},
		{args: []string{"-m", "google/vit-base-patch16-224", "-k", "3", "a.png"},
			want: def(func(o *classifyOptions) { o.Model = "google/vit-base-patch16-224"; o.TopK = 3 })},
		{args: []string{"--model=dir/m", "--top-k=0", "-f", "jsonl", "a.png"},
			want: def(func(o *classifyOptions) { o.Model = "dir/m"; o.TopK = 0; o.Format = "jsonl" })},
		{args: []string{"-fcsv", "--scores", "logit", "-b", "32", "-t", "1", "a.png"},
			want: def(func(o *classifyOptions) {
				o.Format = "csv"
				o.Scores = classify.ScoreLogit
				o.BatchSize = 32
				o.Threads = 1
			})},
		{args: []string{"--progress=never", "--shard", "3/10", "--max-pixels", "1000000", "a.png"},
			want: def(func(o *classifyOptions) {
				o.Progress = "never"
				o.Shard = classify.Shard{Index: 3, Count: 10}
				o.MaxPixels = 1000000
			})},
		{args: []string{"--files-from", "-", "-0"},
			want: def(func(o *classifyOptions) { o.FilesFrom = "-"; o.Null = true; o.Inputs = []string{} })},
		{args: []string{"--files-from", "list.txt", "-", "dir/"},
			want: def(func(o *classifyOptions) { o.FilesFrom = "list.txt"; o.Inputs = []string{"-", "dir/"} })},
		{args: []string{"-o", "out.csv", "a.png"}, want: def(func(o *classifyOptions) { o.Output = "out.csv" })},
		{args: []string{"--max-image-memory", "1GiB", "a.png"}, want: def(func(o *classifyOptions) { o.MaxMemory = 1 << 30 })},
		{args: []string{"--max-image-memory=64MiB", "a.png"}, want: def(func(o *classifyOptions) { o.MaxMemory = 64 << 20 })},
		{args: []string{"--max-image-memory", "512M", "a.png"}, want: def(func(o *classifyOptions) { o.MaxMemory = 512 << 20 })},
		{args: []string{"--max-image-memory", "1.5GiB", "a.png"}, want: def(func(o *classifyOptions) { o.MaxMemory = 3 << 29 })},
		{args: []string{"--draft", "a.png"}, want: def(func(o *classifyOptions) { o.Draft = true })},
		{args: []string{"--max-image-memory", "2097152", "a.png"}, want: def(func(o *classifyOptions) { o.MaxMemory = 2 << 20 })},
		{args: []string{"-b", "512", "-t", "256", "a.png"}, want: def(func(o *classifyOptions) { o.BatchSize = 512; o.Threads = 256 })},
		{args: []string{"--offline", "a.png"}, want: def(func(o *classifyOptions) { o.Offline = true })},
		{args: []string{"a.png"}, env: map[string]string{"HF_HUB_OFFLINE": "1"}, want: def(func(o *classifyOptions) { o.Offline = true })},
		{args: []string{"a.png"}, env: map[string]string{"HF_HUB_OFFLINE": "0"}, want: def(nil)},
		{args: []string{"a.png"}, env: map[string]string{"TRANSFORMERS_OFFLINE": "yes"}, want: def(func(o *classifyOptions) { o.Offline = true })},
		{args: []string{"--", "-k"}, want: def(func(o *classifyOptions) { o.Inputs = []string{"-k"} })},
		{args: []string{"--scores", "sigmoid", "-f", "tsv", "--no-header", "a.png"},
			want: def(func(o *classifyOptions) { o.Scores = classify.ScoreSigmoid; o.Format = "tsv"; o.NoHeader = true })},
		{args: []string{"--scores=softmax", "--min-score", "0.25", "a.png"},
			want: def(func(o *classifyOptions) { o.Scores = classify.ScoreSoftmax; o.MinScore = ptr(float32(0.25)) })},
		{args: []string{"--scores", "logits", "--min-score=-3", "a.png"},
			want: def(func(o *classifyOptions) { o.Scores = classify.ScoreLogit; o.MinScore = ptr(float32(-3)) })},
		{args: []string{"--max-pixels", "100M", "a.png"}, want: def(func(o *classifyOptions) { o.MaxPixels = 100_000_000 })},
		{args: []string{"--max-pixels=1e6", "a.png"}, want: def(func(o *classifyOptions) { o.MaxPixels = 1_000_000 })},
		{args: []string{"--max-pixels", "2.5k", "a.png"}, want: def(func(o *classifyOptions) { o.MaxPixels = 2500 })},
		{args: []string{"--hidden", "-L", "--max-depth", "2", "a.png"},
			want: def(func(o *classifyOptions) { o.Walk = classify.Walk{Hidden: true, Follow: true, MaxDepth: 2} })},
		{args: []string{"-g", "*.png", "--iglob", "!RAW", "--glob=!x/**", "a.png"},
			want: def(func(o *classifyOptions) {
				o.Walk.Globs = []classify.Glob{mustGlob("*.png", false), mustGlob("!RAW", true), mustGlob("!x/**", false)}
			})},

		{args: []string{}, err: "no inputs"},
		{args: []string{"-f", "xml", "a.png"}, err: `--format "xml"`},
		{args: []string{"--scores", "raw", "a.png"}, err: `--scores "raw": want prob, softmax, sigmoid or logit`},
		{args: []string{"--min-score", "NaN", "a.png"}, err: "--min-score NaN"},
		{args: []string{"--progress", "yes", "a.png"}, err: `--progress "yes"`},
		{args: []string{"-k", "-1", "a.png"}, err: "--top-k -1"},
		{args: []string{"-b", "0", "a.png"}, err: "--batch-size 0"},
		{args: []string{"-t", "-2", "a.png"}, err: "--threads -2"},
		{args: []string{"-b", "100000", "a.png"}, err: "--batch-size 100000: want 1 to 512"},
		{args: []string{"-t", "100000", "a.png"}, err: "--threads 100000: want 0 to 256"},
		{args: []string{"--max-image-memory", "lots", "a.png"}, err: `--max-image-memory "lots"`},
		{args: []string{"--max-image-memory", "-5MiB", "a.png"}, err: `--max-image-memory "-5MiB"`},
		{args: []string{"--max-image-memory", "99999999TiB", "a.png"}, err: "out of range"},
		{args: []string{"--max-image-memory", "1KiB", "a.png"}, err: "--max-image-memory 1024: want at least"},
		{args: []string{"--shard", "0/4", "a.png"}, err: "1 ≤ I ≤ N"},
		{args: []string{"--shard", "5/4", "a.png"}, err: "1 ≤ I ≤ N"},
		{args: []string{"--shard", "2", "a.png"}, err: "want I/N"},
		{args: []string{"--shard", "a/b", "a.png"}, err: "integers"},
		{args: []string{"-0", "a.png"}, err: "needs --files-from"},
		{args: []string{"-", "-"}, err: "standard input can be read once"},
		{args: []string{"--files-from", "-", "-"}, err: "standard input can be read once"},
		{args: []string{"--max-pixels", "-1", "a.png"}, err: `--max-pixels "-1": want ≥ 0`},
		{args: []string{"--max-pixels", "1.5", "a.png"}, err: `--max-pixels "1.5": want a whole number`},
		{args: []string{"--max-pixels", "lots", "a.png"}, err: `--max-pixels "lots": want a count such as 1000000, 1e6 or 100M`},
		{args: []string{"-k", "three", "a.png"}, err: `-k/--top-k "three": want a whole number: classes to print per image (0: all)`},
		{args: []string{"--min-score", "high", "a.png"}, err: `--min-score "high": want a number: drop predictions scoring below P`},
		{args: []string{"--topk", "3", "a.png"}, err: "unknown flag: --topk; did you mean -k/--top-k?"},
		{args: []string{"--hiden", "a.png"}, err: "unknown flag: --hiden; did you mean --hidden?"},
		{args: []string{"--max-pixel", "5", "a.png"}, err: "unknown flag: --max-pixel; did you mean --max-pixels?"},
		{args: []string{"--no-such-flag", "a.png"}, err: "unknown flag: --no-such-flag"},
		{args: []string{"--max-depth", "0", "a.png"}, err: "--max-depth 0: want ≥ 1"},
		{args: []string{"--max-depth", "-1", "a.png"}, err: "--max-depth -1: want ≥ 1"},
		{args: []string{"-g", "[a-", "a.png"}, err: `bad pattern "[a-"`},
		{args: []string{"-g", "!", "a.png"}, err: "empty pattern"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ta := newTestApp("")
			for k, v := range tt.env {
				ta.env[k] = v
			}
			var got *classifyOptions
			ta.runClassify = func(_ context.Context, o classifyOptions) error { got = &o; return nil }
			code := ta.run(append([]string{"classify"}, tt.args...)...)
			if tt.err != "" {
				if code != exitUsage {
					t.Errorf("exit %d, want %d (usage)", code, exitUsage)
				}
				if !strings.Contains(ta.err.String(), tt.err) {
					t.Errorf("stderr %q, want it to contain %q", ta.err.String(), tt.err)
				}
				if !strings.HasPrefix(ta.err.String(), "vit: ") {
					t.Errorf("stderr %q, want a vit: prefix", ta.err.String())
				}
				return
			}
			if code != exitOK || got == nil {
				t.Fatalf("exit %d, stderr %q", code, ta.err.String())
			}
			if got.Inputs == nil {
				got.Inputs = []string{}
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func mustGlob(s string, ignoreCase bool) classify.Glob {
	g, err := classify.ParseGlob(s, ignoreCase)
	if err != nil {
		panic(err)
	}
	return g
}

func TestUnknownCommandIsUsage(t *testing.T) {
	ta := newTestApp("")
	if code := ta.run("clasify", "x.png"); code != exitUsage {
		t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, ta.err.String())
	}
	if !strings.Contains(ta.err.String(), "unknown command") {
		t.Errorf("stderr %q", ta.err.String())
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

func TestCompletion(t *testing.T) {
	ta := newTestApp("")
	if code := ta.run("__complete", "classify", "--format", ""); code != exitOK || !strings.Contains(ta.out.String(), "jsonl\n") {
		t.Errorf("exit %d, completions %q", code, ta.out.String())
	}
	ta = newTestApp("")
	if code := ta.run("completion", "bash"); code != exitOK || !strings.Contains(ta.out.String(), "bash completion") {
		t.Errorf("completion bash: exit %d", code)
	}
}
