package main

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/kernels"
)

func TestBenchArgs(t *testing.T) {
	tests := []struct {
		args []string
		want benchOptions
		err  string
	}{
		{args: nil, want: benchOptions{Model: "vit-b16", BatchSize: 1, Threads: 2, Iters: 10, Warmup: 2, Seed: 1, Format: "text"}},
		{args: []string{"-m", "vit-s16", "-b", "8", "-t", "1", "--iters", "3", "--warmup", "0", "--peak-gflops", "488", "-f", "json"},
			want: benchOptions{Model: "vit-s16", BatchSize: 8, Threads: 1, Iters: 3, Warmup: 0, Seed: 1, PeakGFLOPS: 488, Format: "json"}},
		{args: []string{"-b", "0"}, err: "--batch-size 0"},
		{args: []string{"--iters", "0"}, err: "--iters 0"},
		{args: []string{"-f", "csv"}, err: `--format "csv"`},
		{args: []string{"--peak-gflops", "-1"}, err: "--peak-gflops -1"},
		{args: []string{"extra"}, err: "unknown command"},
		{args: []string{"--precision", "int8", "--agreement", "imgs", "-m", "fashion-vit"},
			want: benchOptions{Model: "fashion-vit", BatchSize: 1, Threads: 2, Iters: 10, Warmup: 2, Seed: 1, Format: "text", Precision: kernels.Int8, Agreement: "imgs"}},
		{args: []string{"--precision", "fp16"}, err: `--precision "fp16": want fp32, bf16 or int8`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ta := newTestApp("")
			var got *benchOptions
			ta.runBench = func(_ context.Context, o benchOptions) error { got = &o; return nil }
			code := ta.run(append([]string{"bench"}, tt.args...)...)
			if tt.err != "" {
				if code != exitUsage || !strings.Contains(ta.err.String(), tt.err) {
					t.Errorf("exit %d, stderr %q; want %d and %q", code, ta.err.String(), exitUsage, tt.err)
				}
				return
			}
			if code != exitOK || got == nil || *got != tt.want {
				t.Errorf("exit %d, options %+v, want %+v; stderr %q", code, got, tt.want, ta.err.String())
			}
		})
	}
}

func TestBenchRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ViT-Ti/16")
	}
	ta := newTestApp("")
	if code := ta.run("bench", "-m", "vit-ti16", "--iters", "1", "--warmup", "0", "-f", "json", "--peak-gflops", "100"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	var r map[string]any
	if err := json.Unmarshal(ta.out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"model", "batch_size", "threads", "ms_per_image", "images_per_sec", "gflops", "fraction_of_peak",
		"gflop_per_image", "executed_gflop_per_image", "executed_gflops", "ms_per_image_mean", "ms_per_image_best"} {
		if _, ok := r[k]; !ok {
			t.Errorf("no %q in %s", k, ta.out.String())
		}
	}
	// ViT-Ti/16 performs 2.3332 of its 2.5074 GFLOP (the last block for
	// the class token only); the rates and the peak fraction follow.
	num := func(k string) float64 { v, _ := r[k].(float64); return v }
	if g, e := num("gflop_per_image"), num("executed_gflop_per_image"); math.Abs(g-2.5073664) > 1e-9 || math.Abs(e-2.333205504) > 1e-9 {
		t.Errorf("gflop_per_image %v, executed %v: want 2.5073664, 2.333205504", g, e)
	}
	if g, e := num("gflops"), num("executed_gflops"); !(g > 0) || !(math.Abs(e/g-2.333205504/2.5073664) <= 1e-9) {
		t.Errorf("gflops %v, executed_gflops %v: want a positive rate and the FLOP ratio between them", g, e)
	}
	if f, e := num("fraction_of_peak"), num("executed_gflops"); math.Abs(f-e/100) > 1e-9 {
		t.Errorf("fraction_of_peak %v, want executed_gflops/100 = %v", f, e/100)
	}
	if ms, ips := num("ms_per_image"), num("images_per_sec"); math.Abs(ms*ips-1000) > 1e-6*ms*ips {
		t.Errorf("ms_per_image %v × images_per_sec %v ≠ 1000", ms, ips)
	}
}

// TestBenchAgreement compares the built-in model in int8 with fp32 on
// its examples: every field is there, the images are counted, and the
// figures are in range (agreement itself is measured, on 10 000 images,
// by the accuracy test).
func TestBenchAgreement(t *testing.T) {
	ta := newTestApp("")
	if code := ta.run("bench", "--agreement", "../../models/fashion-vit/examples", "-m", "fashion-vit", "--precision", "int8", "-f", "json"); code != exitOK {
		t.Fatalf("exit %d: %s", code, ta.err.String())
	}
	var r struct {
		Precision    string  `json:"precision"`
		Images       int     `json:"images"`
		Failed       int     `json:"failed"`
		Top1         float64 `json:"top1_agreement"`
		Top5         float64 `json:"top5_overlap"`
		MaxLogitDiff float64 `json:"max_logit_diff"`
	}
	if err := json.Unmarshal(ta.out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Precision != "int8" || r.Images != 7 || r.Failed != 0 {
		t.Errorf("precision %q, %d images, %d failed; want int8, 7, 0", r.Precision, r.Images, r.Failed)
	}
	if !(r.Top1 >= 0 && r.Top1 <= 1 && r.Top5 >= 0 && r.Top5 <= 1) || !(r.MaxLogitDiff > 0 && r.MaxLogitDiff < 1) {
		t.Errorf("top-1 %v, top-5 %v, max logit diff %v: want fractions and a difference in (0, 1)", r.Top1, r.Top5, r.MaxLogitDiff)
	}
}
