package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/hub"
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
}

// benchReport is the result; its JSON form is `vit bench --format json`.
type benchReport struct {
	Model             string  `json:"model"`
	Arch              string  `json:"arch"`
	RandomWeights     bool    `json:"random_weights"`
	ImageSize         [2]int  `json:"image_size"` // [H, W]
	BatchSize         int     `json:"batch_size"`
	Threads           int     `json:"threads"`
	Iters             int     `json:"iters"`
	Warmup            int     `json:"warmup"`
	GFLOPPerImage     float64 `json:"gflop_per_image"`          // the model's FLOPs (Model.FLOPs)
	ExecGFLOPPerImage float64 `json:"executed_gflop_per_image"` // what the forward pass performs (Model.ForwardFLOPs)
	MsPerImage        float64 `json:"ms_per_image"`             // median pass
	MsPerImageMean    float64 `json:"ms_per_image_mean"`        // mean over the timed passes
	MsPerImageBest    float64 `json:"ms_per_image_best"`        // fastest pass
	ImagesPerSec      float64 `json:"images_per_sec"`           // at the median pass
	GFLOPS            float64 `json:"gflops"`                   // model FLOPs at the median pass
	ExecGFLOPS        float64 `json:"executed_gflops"`          // executed FLOPs at the median pass
	PeakGFLOPS        float64 `json:"peak_gflops,omitempty"`
	PeakSource        string  `json:"peak_source,omitempty"`      // "measured AVX-512 FMA loop" or "--peak-gflops"
	FractionOfPeak    float64 `json:"fraction_of_peak,omitempty"` // executed_gflops / peak_gflops
	ISA               string  `json:"isa"`
	GoVersion         string  `json:"go"`
}

const benchLong = `Time the model's forward pass on random inputs and report ms per image,
images per second, GFLOP/s and the fraction of the machine's FMA peak.
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
FMA peak is of the FLOPs actually performed.

The FMA peak is measured (every thread runs a loop of independent FMAs of
the widest vector unit the kernels use, best of three) unless --peak-gflops
gives it; on a busy machine the measurement is low, so pass the known value
(from an FMA-peak benchmark run on an idle machine) when comparing.`

func (a *app) newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure inference speed (ms/image, images/s, GFLOP/s, fraction of FMA peak)",
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
			case o.Format != "text" && o.Format != "json":
				return usagef("--format %q: want text or json", o.Format)
			}
			if o.Threads == 0 {
				o.Threads = a.numCPU
			}
			if hub.OfflineFromEnv(a.getenv) {
				o.Offline = true
			}
			if a.inspect != nil && a.inspect(o) {
				return nil
			}
			return a.bench(cmd, o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Model, "model", "m", "vit-b16", "random-weight config (vit-ti16, vit-s16, vit-b16, vit-b32, vit-l16) or a model as classify takes it")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 1, "images per forward pass")
	f.IntVarP(&o.Threads, "threads", "t", 0, "inference threads (0: all cores)")
	f.IntVar(&o.Iters, "iters", 10, "timed forward passes")
	f.IntVar(&o.Warmup, "warmup", 2, "untimed forward passes before timing")
	f.Int64Var(&o.Seed, "seed", 1, "seed of random weights and inputs")
	f.Float64Var(&o.PeakGFLOPS, "peak-gflops", 0, "the machine's FMA peak in GFLOP/s for --threads cores (0: measure it)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text or json")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	return cmd
}

func (a *app) bench(cmd *cobra.Command, o benchOptions) error {
	ctx := cmd.Context()
	var (
		m      *model.Model
		random bool
		err    error
	)
	if slices.Contains(model.RandomNames(), o.Model) {
		m, err = model.Random(o.Model, o.Seed, model.Options{Threads: o.Threads})
		random = true
	} else {
		m, _, err = a.openModel(ctx, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline})
	}
	if err != nil {
		return err
	}
	defer m.Close()

	c := m.Config
	ch, h, w := m.InputShape()
	if err := c.CheckImage(ch, h, w); err != nil {
		return fmt.Errorf("model %s: %w", o.Model, err)
	}
	gh, gw := h/c.PatchSize, w/c.PatchSize
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x76697462656e6368))
	pix := make([]float32, o.BatchSize*ch*h*w) // [B, C, H, W]
	for i := range pix {
		pix[i] = float32(rng.NormFloat64())
	}
	logits := make([]float32, o.BatchSize*c.NumClasses) // [B, L]

	for range o.Warmup {
		if err := m.Forward(pix, o.BatchSize, h, w, logits); err != nil {
			return fmt.Errorf("forward: %w", err)
		}
	}
	times := make([]time.Duration, o.Iters) // [iters] per forward pass
	var total time.Duration
	for i := range times {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t0 := time.Now()
		if err := m.Forward(pix, o.BatchSize, h, w, logits); err != nil {
			return fmt.Errorf("forward: %w", err)
		}
		times[i] = time.Since(t0)
		total += times[i]
	}
	slices.Sort(times)
	best, med := times[0], times[len(times)/2]
	if len(times)%2 == 0 {
		med = (times[len(times)/2-1] + med) / 2
	}
	bs := float64(o.BatchSize)
	flops, exec := m.FLOPs(gh, gw), m.ForwardFLOPs(gh, gw)
	r := benchReport{
		Model:             o.Model,
		Arch:              c.Arch,
		RandomWeights:     random,
		ImageSize:         [2]int{h, w},
		BatchSize:         o.BatchSize,
		Threads:           o.Threads,
		Iters:             o.Iters,
		Warmup:            o.Warmup,
		GFLOPPerImage:     flops / 1e9,
		ExecGFLOPPerImage: exec / 1e9,
		MsPerImage:        med.Seconds() * 1e3 / bs,
		MsPerImageMean:    total.Seconds() * 1e3 / (bs * float64(o.Iters)),
		MsPerImageBest:    best.Seconds() * 1e3 / bs,
		ImagesPerSec:      bs / med.Seconds(),
		GFLOPS:            flops * bs / med.Seconds() / 1e9,
		ExecGFLOPS:        exec * bs / med.Seconds() / 1e9,
		ISA:               kernels.ISA(),
		GoVersion:         runtime.Version(),
	}
	if o.PeakGFLOPS > 0 {
		r.PeakGFLOPS, r.PeakSource = o.PeakGFLOPS, "--peak-gflops"
	} else if g, isa := measurePeak(o.Threads); g > 0 {
		r.PeakGFLOPS, r.PeakSource = g, "measured "+isa+" FMA loop"
	}
	if r.PeakGFLOPS > 0 {
		r.FractionOfPeak = r.ExecGFLOPS / r.PeakGFLOPS
	}
	if o.Format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return writeBenchText(a, r)
}

func writeBenchText(a *app, r benchReport) error {
	desc := r.Model
	if r.Arch != "" && r.Arch != r.Model {
		desc += " (" + r.Arch + ")"
	}
	if r.RandomWeights {
		desc += ", random weights"
	}
	peak := "n/a (no FMA probe in this build; pass --peak-gflops)"
	if r.PeakGFLOPS > 0 {
		peak = fmt.Sprintf("%.0f GFLOP/s (%s, %d threads); the FLOPs performed reach %.1f%% of it", r.PeakGFLOPS, r.PeakSource, r.Threads, 100*r.FractionOfPeak)
	}
	_, err := fmt.Fprintf(a.stdout, `model        %s, %d×%d, %.2f GFLOP/image (%.2f performed)
setup        batch %d, %d threads, %d timed passes after %d warm-up, kernels %s
ms/image     %.2f median (mean %.2f, best pass %.2f)
images/s     %.2f
GFLOP/s      %.1f of the model's FLOPs, %.1f performed
FMA peak     %s
`, desc, r.ImageSize[0], r.ImageSize[1], r.GFLOPPerImage, r.ExecGFLOPPerImage,
		r.BatchSize, r.Threads, r.Iters, r.Warmup, r.ISA,
		r.MsPerImage, r.MsPerImageMean, r.MsPerImageBest, r.ImagesPerSec, r.GFLOPS, r.ExecGFLOPS, peak)
	return err
}
