package classify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/vitgo/vit/internal/kernels"
	"github.com/vitgo/vit/internal/model"
)

// BenchResult is the timing of Bench's forward passes of one batch.
type BenchResult struct {
	Median time.Duration // the median pass (of an even count, the mean of the middle two)
	Best   time.Duration // the fastest pass
	Total  time.Duration // all timed passes
}

// Bench times m.Forward on batch images of random inputs (standard normal
// values from seed): warmup untimed passes, then iters ≥ 1 timed ones. It
// stops with ctx's error between passes.
func Bench(ctx context.Context, m Model, batch, warmup, iters int, seed int64) (BenchResult, error) {
	if batch < 1 || iters < 1 {
		return BenchResult{}, fmt.Errorf("bench: batch %d and iters %d: want ≥ 1", batch, iters)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x76697462656e6368))
	inputs := make([]float32, batch*m.InputLen()) // [B, InputLen]
	for i := range inputs {
		inputs[i] = float32(rng.NormFloat64())
	}
	logits := make([]float32, batch*m.OutLen()) // [B, O]

	for range warmup {
		if err := m.Forward(inputs, batch, logits); err != nil {
			return BenchResult{}, fmt.Errorf("forward: %w", err)
		}
	}
	times := make([]time.Duration, iters) // [iters] per forward pass
	var total time.Duration
	for i := range times {
		if ctx.Err() != nil {
			return BenchResult{}, ctx.Err()
		}
		t0 := time.Now()
		if err := m.Forward(inputs, batch, logits); err != nil {
			return BenchResult{}, fmt.Errorf("forward: %w", err)
		}
		times[i] = time.Since(t0)
		total += times[i]
	}
	slices.Sort(times)
	r := BenchResult{Best: times[0], Median: times[len(times)/2], Total: total}
	if len(times)%2 == 0 {
		r.Median = (times[len(times)/2-1] + r.Median) / 2
	}
	return r, nil
}

// BenchReport is what BenchModel measured; its JSON form is `vit bench
// --format json`. The caller fills in the peak fields.
type BenchReport struct {
	Model             string  `json:"model"`
	Arch              string  `json:"arch"`
	RandomWeights     bool    `json:"random_weights"`
	ImageSize         [2]int  `json:"image_size"` // [H, W]
	BatchSize         int     `json:"batch_size"`
	Threads           int     `json:"threads"`
	Iters             int     `json:"iters"`
	Warmup            int     `json:"warmup"`
	GFLOPPerImage     float64 `json:"gflop_per_image"`                 // the model's FLOPs (Model.FLOPs)
	ExecGFLOPPerImage float64 `json:"executed_gflop_per_image"`        // what the forward pass performs (Model.ForwardFLOPs)
	MsPerImage        float64 `json:"ms_per_image"`                    // median pass
	MsPerImageMean    float64 `json:"ms_per_image_mean"`               // mean over the timed passes
	MsPerImageBest    float64 `json:"ms_per_image_best"`               // fastest pass
	ImagesPerSec      float64 `json:"images_per_sec"`                  // at the median pass
	GFLOPS            float64 `json:"gflops"`                          // model FLOPs at the median pass
	ExecGFLOPS        float64 `json:"executed_gflops"`                 // executed FLOPs at the median pass
	Precision         string  `json:"precision"`                       // of the encoder's matrices: fp32, bf16 or int8
	WeightMiB         float64 `json:"weight_mib"`                      // matrix values the forward pass reads (Model.WeightBytes)
	PeakGFLOPS        float64 `json:"peak_gflops,omitempty"`           // of the instruction the precision's matmuls run on (int8: GOP/s)
	PeakSource        string  `json:"peak_source,omitempty"`           // "measured avx512 FMA loop", "measured VPDPBUSD loop", "measured VDPBF16PS loop", … or "--peak-gflops"
	FractionOfPeak    float64 `json:"fraction_of_peak,omitempty"`      // executed_gflops / peak_gflops
	BF16PeakGFLOPS    float64 `json:"vdpbf16ps_peak_gflops,omitempty"` // bf16 on AMX or FMAs: the VDPBF16PS loop, for comparison (PeakGFLOPS where the bf16 matmuls run on it)
	ISA               string  `json:"isa"`
	GoVersion         string  `json:"go"`
}

// BenchOptions says what BenchModel runs.
type BenchOptions struct {
	Name    string // reported as the model
	Random  bool   // the model has random weights
	Batch   int    // images per forward pass (≥ 1)
	Threads int    // the threads m was loaded with
	Warmup  int    // untimed passes first
	Iters   int    // timed passes (≥ 1)
	Seed    int64  // of the random inputs

	// PeakGFLOPS is the machine's peak for Threads cores of the
	// instruction m's precision multiplies with (see MeasurePeak); 0
	// measures it after the timed passes.
	PeakGFLOPS float64
}

// BenchModel times m's forward pass (see Bench) and reports the time per
// image of the median, mean and fastest pass, and the throughput in images
// and GFLOP/s at the median, of the model's FLOPs (Model.FLOPs) and of
// those performed (Model.ForwardFLOPs).
func BenchModel(ctx context.Context, m *model.Model, o BenchOptions) (BenchReport, error) {
	clf, err := NewModel(m)
	if err != nil {
		return BenchReport{}, err
	}
	t, err := Bench(ctx, clf, o.Batch, o.Warmup, o.Iters, o.Seed)
	if err != nil {
		return BenchReport{}, err
	}
	c := m.Config
	_, h, w := m.InputShape()
	gh, gw := h/c.PatchSize, w/c.PatchSize
	bs := float64(o.Batch)
	med := t.Median.Seconds()
	flops, exec := m.FLOPs(gh, gw), m.ForwardFLOPs(gh, gw)
	r := BenchReport{
		Model:             o.Name,
		Arch:              c.Arch,
		RandomWeights:     o.Random,
		ImageSize:         [2]int{h, w},
		BatchSize:         o.Batch,
		Threads:           o.Threads,
		Iters:             o.Iters,
		Warmup:            o.Warmup,
		GFLOPPerImage:     flops / 1e9,
		ExecGFLOPPerImage: exec / 1e9,
		MsPerImage:        med * 1e3 / bs,
		MsPerImageMean:    t.Total.Seconds() * 1e3 / (bs * float64(o.Iters)),
		MsPerImageBest:    t.Best.Seconds() * 1e3 / bs,
		ImagesPerSec:      bs / med,
		GFLOPS:            flops * bs / med / 1e9,
		ExecGFLOPS:        exec * bs / med / 1e9,
		ISA:               kernels.ISA(),
		GoVersion:         runtime.Version(),
		Precision:         m.Precision().String(),
		WeightMiB:         float64(m.WeightBytes()) / (1 << 20),
	}
	if o.PeakGFLOPS > 0 {
		r.PeakGFLOPS, r.PeakSource = o.PeakGFLOPS, "--peak-gflops"
	} else if g, src := MeasurePeak(o.Threads, m.Precision()); g > 0 {
		r.PeakGFLOPS, r.PeakSource = g, src
	}
	if m.Precision() == kernels.BF16 && kernels.BF16Kernel() != "dpbf16" {
		r.BF16PeakGFLOPS = measureDotInstrPeak(o.Threads, kernels.BF16)
	}
	if r.PeakGFLOPS > 0 {
		r.FractionOfPeak = r.ExecGFLOPS / r.PeakGFLOPS
	}
	return r, nil
}

// MeasurePeak measures the attainable throughput of threads cores, in
// GFLOP/s (GOP/s for int8), of the instruction the matmuls of precision
// prec run on (kernels.DotPeak: the FMA for fp32; AMX tile products; for
// bf16 without AMX VDPBF16PS on AMD CPUs, else the FMA; for int8 without
// AMX VPDPBUSD, or VPMADDWD on AVX2 CPUs without VNNI) with a
// register-only loop, best of three runs of about 100 ms, and names it.
// It returns 0 when the kernels in use have no such loop (generic code).
func MeasurePeak(threads int, prec kernels.Precision) (gflops float64, source string) {
	best := bestPeak(threads, prec, kernels.DotPeak)
	if best == 0 {
		return 0, ""
	}
	return best, "measured " + kernels.DotPeakName(prec)
}

// measureDotInstrPeak is kernels.DotInstrPeak on threads cores, best of
// three.
func measureDotInstrPeak(threads int, prec kernels.Precision) float64 {
	return bestPeak(threads, prec, kernels.DotInstrPeak)
}

// bestPeak runs measure (kernels.DotPeak or DotInstrPeak) for about
// 100 ms on threads cores three times and returns the best.
func bestPeak(threads int, prec kernels.Precision, measure func(*kernels.Pool, kernels.Precision, time.Duration) float64) float64 {
	p := kernels.NewPool(threads)
	defer p.Close()
	best := 0.0
	for range 3 {
		best = max(best, measure(p, prec, 100*time.Millisecond))
	}
	return best
}
