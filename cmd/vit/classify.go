package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/hub"
)

// classifyOptions is a parsed and validated `vit classify` command line.
type classifyOptions struct {
	Model     string // -m: directory, ORG/NAME[@REV], or built-in name ("" = built-in default)
	Offline   bool   // --offline or HF_HUB_OFFLINE: never download
	TopK      int    // predictions per image; 0 = all classes
	Format    string // text | json | jsonl | csv
	Logits    bool   // --scores logit (default: softmax probabilities)
	BatchSize int    // images per forward pass, at most
	Threads   int    // inference threads and decode workers (resolved: ≥ 1)
	Progress  string // auto | always | never
	Shard     shard  // Count 0: no sharding
	MaxPixels int64  // decode limit; 0 = the decoder's default
	FilesFrom string // "" | path | "-" (stdin)
	Null      bool   // -0: --files-from entries end with NUL, not newline
	Inputs    []string
}

// shard selects the Index-th (1-based) of Count deterministic slices of the
// inputs.
type shard struct{ Index, Count int }

func (s shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func parseShard(s string) (shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return shard{}, fmt.Errorf("--shard %q: want I/N, e.g. 3/10", s)
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return shard{}, fmt.Errorf("--shard %q: want I/N with integers, e.g. 3/10", s)
	}
	if cnt < 1 || idx < 1 || idx > cnt {
		return shard{}, fmt.Errorf("--shard %q: want 1 ≤ I ≤ N", s)
	}
	return shard{Index: idx, Count: cnt}, nil
}

const classifyLong = `Classify images and print the top-k classes of each.

Inputs are image files, directories (walked recursively, keeping files with an
image extension: jpg jpeg png gif bmp tif tiff webp, any case; each directory's
entries in byte order of their names; symbolic links followed, each directory
visited once so link cycles end), "-" for one image read from standard input,
and the files listed by --files-from (any name; directories there are skipped
with a warning, so plain "find DIR -print0" output works). Results come out in
input order.

Scores are softmax probabilities (--scores prob) or raw logits (--scores logit).

The model (-m) is a model directory (config.json + model.safetensors), a
Hugging Face id ORG/NAME[@REVISION] looked up in the Hugging Face cache and
downloaded when missing (unless --offline or HF_HUB_OFFLINE=1), or a built-in
model name. Default: the built-in model.

--shard I/N keeps the inputs whose path hashes into slice I of N (SHA-256 of
the path as given or walked, first 8 bytes big-endian, modulo N, equal to I-1),
so N machines given the same arguments split the work with no overlap, and a
file keeps its slice when others are added or removed.

Exit codes: 0 every input succeeded, 1 some input failed (or a runtime error),
2 usage error, 130 interrupted (finished results were printed).`

const classifyExample = `  vit classify photo.jpg
  vit classify -k 3 photos/
  vit classify -f jsonl photos/ | jq -r 'select(.error == null) | [.path, .predictions[0].label] | @tsv'
  vit classify -f csv -o results.csv photos/
  find photos -type f -name '*.jpg' -print0 | vit classify --files-from - -0 -f jsonl
  vit classify --shard "$((JOB_COMPLETION_INDEX+1))/10" -f jsonl /data/images > part.jsonl
  vit classify -m google/vit-base-patch16-224 cat.jpg`

func (a *app) newClassifyCmd() *cobra.Command {
	var (
		o        classifyOptions
		shardStr string
		scores   string
		output   string
	)
	cmd := &cobra.Command{
		Use:     "classify [PATH|-]...",
		Short:   "Classify image files, directories or standard input",
		Long:    classifyLong,
		Example: classifyExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			if err := a.finishClassifyOptions(&o, shardStr, scores); err != nil {
				return err
			}
			if a.inspect != nil && a.inspect(o) {
				return nil
			}
			if output != "" {
				return a.withOutputFile(output, func() error { return a.classify(cmd.Context(), o) })
			}
			return a.classify(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Model, "model", "m", "", "model directory, ORG/NAME[@REV] from the Hugging Face cache, or built-in name (default: built-in)")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	f.IntVarP(&o.TopK, "top-k", "k", 5, "classes to print per image (0: all)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json, jsonl or csv")
	f.StringVarP(&output, "output", "o", "", "write results to this file instead of standard output")
	f.StringVar(&scores, "scores", "prob", "scores to print: prob (softmax) or logit")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 8, "images per forward pass, at most")
	f.IntVarP(&o.Threads, "threads", "t", 0, "threads for inference and decoding (0: all cores)")
	f.StringVar(&o.Progress, "progress", "auto", "progress bar on stderr: auto (when a terminal and more than one input), always or never")
	f.StringVar(&shardStr, "shard", "", "process only slice I of N of the inputs (I/N, 1 ≤ I ≤ N)")
	f.Int64Var(&o.MaxPixels, "max-pixels", 0, "refuse images with more pixels than this (0: decoder default, 100 M)")
	f.StringVar(&o.FilesFrom, "files-from", "", "read input paths from FILE, one per line (- for standard input)")
	f.BoolVarP(&o.Null, "null", "0", false, "--files-from entries are NUL-terminated (find -print0)")
	return cmd
}

// finishClassifyOptions validates o and fills defaults from the environment.
func (a *app) finishClassifyOptions(o *classifyOptions, shardStr, scores string) error {
	switch o.Format {
	case "text", "json", "jsonl", "csv":
	default:
		return usagef("--format %q: want text, json, jsonl or csv", o.Format)
	}
	switch scores {
	case "prob", "probs", "probability":
		o.Logits = false
	case "logit", "logits":
		o.Logits = true
	default:
		return usagef("--scores %q: want prob or logit", scores)
	}
	switch o.Progress {
	case "auto", "always", "never":
	default:
		return usagef("--progress %q: want auto, always or never", o.Progress)
	}
	if o.TopK < 0 {
		return usagef("--top-k %d: want ≥ 0 (0: all classes)", o.TopK)
	}
	if o.BatchSize < 1 {
		return usagef("--batch-size %d: want ≥ 1", o.BatchSize)
	}
	if o.Threads < 0 {
		return usagef("--threads %d: want ≥ 0 (0: all cores)", o.Threads)
	}
	if o.Threads == 0 {
		o.Threads = a.numCPU
	}
	if o.MaxPixels < 0 {
		return usagef("--max-pixels %d: want ≥ 0", o.MaxPixels)
	}
	if shardStr != "" {
		s, err := parseShard(shardStr)
		if err != nil {
			return usageError{err}
		}
		o.Shard = s
	}
	if o.Null && o.FilesFrom == "" {
		return usagef("-0/--null needs --files-from")
	}
	stdinUses := 0
	for _, p := range o.Inputs {
		if p == "-" {
			stdinUses++
		}
		if p == "" {
			return usagef("empty input path")
		}
	}
	if o.FilesFrom == "-" {
		stdinUses++
	}
	if stdinUses > 1 {
		return usagef("standard input can be read once: give \"-\" or --files-from - once")
	}
	if len(o.Inputs) == 0 && o.FilesFrom == "" {
		return usagef("no inputs: give image files, directories, - (standard input) or --files-from FILE")
	}
	if hub.OfflineFromEnv(a.getenv) {
		o.Offline = true
	}
	return nil
}

// classify runs the pipeline with the options' model and reports errInputsFailed
// when any input failed.
func (a *app) classify(ctx context.Context, o classifyOptions) error {
	clf, err := a.openClassifier(ctx, a, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline})
	if err != nil {
		return err
	}
	defer clf.Close()
	return a.runPipeline(ctx, clf, o)
}

// withOutputFile runs fn with standard output redirected to a new file.
func (a *app) withOutputFile(name string, fn func() error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	stdout, tty := a.stdout, a.stdoutTTY
	a.stdout, a.stdoutTTY = f, false
	defer func() { a.stdout, a.stdoutTTY = stdout, tty }()
	err = fn()
	if cerr := f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("write %s: %w", name, cerr)
	}
	return err
}
