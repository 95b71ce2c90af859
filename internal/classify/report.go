package classify

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// The text forms of the reports behind `vit models list`, `vit models info`
// and `vit bench`, for people; scripts take the JSON of the same values.

// firstLine is s up to its first newline (errors.Join puts one between
// causes).
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// WriteModelList writes rows as an aligned table: id, revision, size on
// disk, parameters and classes; incomplete snapshots and those vit cannot
// run are marked, the latter with the reason.
func WriteModelList(w io.Writer, rows []ModelRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREVISION\tSIZE\tPARAMETERS\tCLASSES\t")
	for _, r := range rows {
		params, classes := "?", "?"
		if r.Params >= 0 {
			params = HumanCount(r.Params)
		}
		if r.Classes >= 0 {
			classes = fmt.Sprint(r.Classes)
		}
		note := ""
		switch {
		case !r.Runnable && r.Problem != "":
			note = "cannot run: " + oneLine(firstLine(r.Problem))
		case !r.Complete:
			note = "(incomplete)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Revision, HumanBytes(r.Size), params, classes, note)
	}
	return tw.Flush()
}

// WriteText writes the description as aligned "field  value" lines.
func (info ModelInfo) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	where := info.Source
	if info.Dir != "" {
		where += " " + info.Dir
	}
	tokens := info.PrefixTokens
	p := info.PatchSize
	fmt.Fprintf(tw, "model\t%s (%s)\n", info.ID, where)
	fmt.Fprintf(tw, "architecture\t%s, %s layout\n", info.Arch, info.Layout)
	fmt.Fprintf(tw, "input\t%d×%d×%d, patch %d: %d×%d patches + %s\n",
		info.Input[0], info.Input[1], info.Input[2], p, info.Input[1]/p, info.Input[2]/p, tokens)
	fmt.Fprintf(tw, "dimensions\thidden %d, %d layers, %d heads, MLP %d (%s), LayerNorm ε %g\n",
		info.Hidden, info.Layers, info.Heads, info.Intermediate, info.Activation, info.LayerNormEps)
	fmt.Fprintf(tw, "parameters\t%s (%d, %s as float32)\n", HumanCount(info.Params), info.Params, HumanBytes(4*info.Params))
	fmt.Fprintf(tw, "compute\t%.3f GFLOP per image\n", info.GFLOPPerImage)
	fmt.Fprintf(tw, "preprocessing\t%s\n", info.Preprocess)
	fmt.Fprintf(tw, "classes\t%d: %s\n", info.NumClasses, labelSummary(info.Labels, 10))
	return tw.Flush()
}

// WriteText writes the report as aligned "field  value" lines.
func (r BenchReport) WriteText(w io.Writer) error {
	desc := r.Model
	if r.Arch != "" && r.Arch != r.Model {
		desc += " (" + r.Arch + ")"
	}
	if r.RandomWeights {
		desc += ", random weights"
	}
	peak := "n/a (no probe for these kernels in this build; pass --peak-gflops)"
	if r.PeakGFLOPS > 0 {
		unit := "GFLOP/s"
		if r.Precision == "int8" {
			unit = "GOP/s"
		}
		peak = fmt.Sprintf("%.0f %s (%s, %d threads); the FLOPs performed reach %.1f%% of it", r.PeakGFLOPS, unit, r.PeakSource, r.Threads, 100*r.FractionOfPeak)
	}
	if r.BF16PeakGFLOPS > 0 {
		peak += fmt.Sprintf("\n             (VDPBF16PS, which the bf16 path does not use, peaks at %.0f GFLOP/s here)", r.BF16PeakGFLOPS)
	}
	_, err := fmt.Fprintf(w, `model        %s, %d×%d, %.2f GFLOP/image (%.2f performed)
setup        batch %d, %d threads, %d timed passes after %d warm-up, kernels %s
precision    %s, %.1f MiB of matrix values
ms/image     %.2f median (mean %.2f, best pass %.2f)
images/s     %.2f
GFLOP/s      %.1f of the model's FLOPs, %.1f performed
peak         %s
`, desc, r.ImageSize[0], r.ImageSize[1], r.GFLOPPerImage, r.ExecGFLOPPerImage,
		r.BatchSize, r.Threads, r.Iters, r.Warmup, r.ISA, r.Precision, r.WeightMiB,
		r.MsPerImage, r.MsPerImageMean, r.MsPerImageBest, r.ImagesPerSec, r.GFLOPS, r.ExecGFLOPS, peak)
	return err
}

// labelSummary lists the first n labels.
func labelSummary(labels []string, n int) string {
	if len(labels) <= n {
		return strings.Join(labels, ", ")
	}
	return strings.Join(labels[:n], ", ") + fmt.Sprintf(", … (%d more)", len(labels)-n)
}

// HumanCount formats a count as 1.23 M, 456 K.
func HumanCount(n int64) string {
	switch {
	case n < 10_000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.0f K", float64(n)/1e3)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f B", float64(n)/1e9)
}

// HumanBytes formats a byte count as kB, MB or GB (powers of 1000, as
// huggingface_hub shows sizes); negative is "size unknown".
func HumanBytes(n int64) string {
	switch {
	case n < 0:
		return "size unknown"
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000_000_000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}
