package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/model"
)

// benchOptions is a parsed `vit bench` command line.
type benchOptions struct {
	Model      string  // a random-weight config name, or what -m of classify takes
	BatchSize  int     // images per forward pass
	Threads    int     // resolved: ≥ 1
	Iters      int     // timed forward passes
	Warmup     int     // untimed forward passes first
	Seed       int64   // weights of random models and the input values
	PeakGFLOPS float64 // 0: measure
	Format     string  // text | json
	Offline    bool
	Precision  kernels.Precision
	Agreement  string // a directory of images: compare Precision with fp32 on them instead of timing
}

const benchLong = `Time the model's forward pass on random inputs and report ms per image,
images per second, GFLOP/s and the fraction of the machine's peak for the
--precision the matrices run in: the FMA peak for fp32; for bf16 and int8
the AMX tile unit's where the CPU has AMX, else the FMA's (bf16 runs on
FMAs) or VPDPBUSD's (int8).
Times are the median of the --iters timed passes (a shared machine's
spikes move the mean; the mean and the fastest pass are reported too).

--model takes a random-weight configuration with torchvision's shapes
(vit-ti16, vit-s16, vit-b16, vit-b32, vit-l16; 224×224, 1000 classes) or any
model classify takes (a directory, ORG/NAME[@REV], a built-in name).
The model's FLOPs count twice the multiply-adds of the patch embedding,
q|k|v, q·kᵀ, attention·v, the output projection, the MLP and the head, the
count ONNX Runtime and PyTorch benchmarks of ViT commonly use, so GFLOP/s
compare across tools. vit performs fewer: only the class (and
distillation) tokens reach the head, so the last block computes k and v
for every token and the rest for those tokens alone. The fraction of the
peak is of the FLOPs actually performed.

The peak is measured (every thread runs a loop of independent FMAs of the
widest vector unit the kernels use, or of AMX tile products or VPDPBUSD,
best of three) unless --peak-gflops gives it; on a busy machine the
measurement is low, so pass the known value (from a peak benchmark run on
an idle machine) when comparing.

--agreement DIR checks a precision before trusting it: instead of timing,
it runs the model over the images in DIR in fp32 and in --precision and
prints top-1 agreement, top-5 overlap and the largest logit difference.`

func (a *app) newBenchCmd() *cobra.Command {
	var (
		o    benchOptions
		prec string
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure inference speed (ms/image, images/s, GFLOP/s, fraction of peak)",
		Long:  benchLong,
		Example: `  vit bench -m vit-b16 -b 1 --iters 20
  vit bench -m vit-b16 -b 8 -t 2 --format json
  vit bench -m fashion-vit -b 64 --iters 200`,
		Args: cobra.NoArgs,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			switch {
			case o.BatchSize < 1:
				return usagef("--batch-size %d: want ≥ 1", o.BatchSize)
			case o.Iters < 1:
				return usagef("--iters %d: want ≥ 1", o.Iters)
			case o.Warmup < 0:
				return usagef("--warmup %d: want ≥ 0", o.Warmup)
			case o.Threads < 0:
				return usagef("--threads %d: want ≥ 0 (0: all cores)", o.Threads)
			case o.PeakGFLOPS < 0:
				return usagef("--peak-gflops %g: want ≥ 0 (0: measure)", o.PeakGFLOPS)
			}
			if err := oneOf("--format", o.Format, textOrJSON...); err != nil {
				return err
			}
			var err error
			if o.Precision, err = parsePrecision(prec); err != nil {
				return err
			}
			if o.Threads == 0 {
				o.Threads = a.numCPU
			}
			o.Offline = a.offline(cmd.Flags())
			return a.runBench(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Model, "model", "m", "vit-b16", "random-weight config (vit-ti16, vit-s16, vit-b16, vit-b32, vit-l16) or a model as classify takes it")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 1, "images per forward pass")
	f.IntVarP(&o.Threads, "threads", "t", 0, "inference threads (0: all cores)")
	f.IntVar(&o.Iters, "iters", 10, "timed forward passes")
	f.IntVar(&o.Warmup, "warmup", 2, "untimed forward passes before timing")
	f.Int64Var(&o.Seed, "seed", 1, "seed of random weights and inputs")
	f.Float64Var(&o.PeakGFLOPS, "peak-gflops", 0, "the machine's peak in GFLOP/s (int8: GOP/s) for --threads cores of what --precision multiplies with (0: measure it)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text or json")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	precisionFlag(cmd, &prec)
	f.StringVar(&o.Agreement, "agreement", "", "instead of timing, run the model over the images in `DIR` in fp32 and in --precision and print top-1 agreement, top-5 overlap and the largest logit difference")
	return cmd
}

// bench runs `vit bench`.
func (a *app) bench(ctx context.Context, o benchOptions) error {
	if o.Agreement != "" {
		return a.agreement(ctx, o)
	}
	var (
		m      *model.Model
		random bool
		err    error
	)
	if slices.Contains(model.RandomNames(), o.Model) {
		m, err = model.Random(o.Model, o.Seed, model.Options{Threads: o.Threads, Precision: o.Precision})
		random = true
	} else {
		m, _, err = a.openModel(ctx, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline, Precision: o.Precision})
	}
	if err != nil {
		return err
	}
	defer m.Close()
	r, err := classify.BenchModel(ctx, m, classify.BenchOptions{
		Name: o.Model, Random: random, Batch: o.BatchSize, Threads: o.Threads,
		Warmup: o.Warmup, Iters: o.Iters, Seed: o.Seed, PeakGFLOPS: o.PeakGFLOPS,
	})
	if err != nil {
		return err
	}
	if o.Format == "json" {
		return a.writeJSON(r)
	}
	return r.WriteText(a.stdout)
}

// agreement runs `vit bench --agreement DIR`: the model in fp32 and in
// o.Precision over the images in DIR, compared.
func (a *app) agreement(ctx context.Context, o benchOptions) error {
	open := func(p kernels.Precision) (*model.Model, error) {
		if slices.Contains(model.RandomNames(), o.Model) {
			return model.Random(o.Model, o.Seed, model.Options{Threads: o.Threads, Precision: p})
		}
		m, _, err := a.openModel(ctx, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline, Precision: p})
		return m, err
	}
	var clf [2]classify.Model
	for i, p := range []kernels.Precision{kernels.FP32, o.Precision} {
		m, err := open(p)
		if err != nil {
			return err
		}
		defer m.Close()
		if clf[i], err = classify.NewModel(m); err != nil {
			return err
		}
	}
	con := &console{w: a.stderr}
	r, err := classify.Agreement(ctx, clf[0], clf[1], classify.Inputs{Paths: []string{o.Agreement}},
		classify.Options{BatchSize: o.BatchSize, Workers: o.Threads, Warn: con.println})
	if err != nil {
		return err
	}
	r.Model, r.Precision = o.Model, o.Precision.String()
	if o.Format == "json" {
		return a.writeJSON(r)
	}
	return r.WriteText(a.stdout)
}
