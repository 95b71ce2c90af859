package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/kernels"
)

// classifyOptions is a parsed and validated `vit classify` command line.
type classifyOptions struct {
	Model     string         // -m: directory, ORG/NAME[@REV], or built-in name ("" = built-in default)
	Offline   bool           // --offline or HF_HUB_OFFLINE: never download
	TopK      int            // predictions per image; 0 = all classes
	Format    string         // text | json | jsonl | csv
	Output    string         // -o: write results to this file ("" = standard output)
	Logits    bool           // --scores logit (default: softmax probabilities)
	BatchSize int            // images per forward pass, at most
	Threads   int            // inference threads and decode workers (resolved: ≥ 1)
	Progress  string         // auto | always | never
	Shard     classify.Shard // Count 0: no sharding
	MaxPixels int64          // decode limit; 0 = the decoder's default
	MaxMemory int64          // memory budget of one image, bytes (≥ minImageMemory)
	FilesFrom string         // "" | path | "-" (stdin)
	Null      bool           // -0: --files-from entries end with NUL, not newline
	Precision kernels.Precision
	Inputs    []string
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
2 usage error, 3 internal error (a bug; a crash inside one input is that
input's error record instead), 130 interrupted (finished results were
printed).`

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
		memStr   string
		prec     string
	)
	cmd := &cobra.Command{
		Use:     "classify [PATH|-]...",
		Short:   "Classify image files, directories or standard input",
		Long:    classifyLong,
		Example: classifyExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			mem, err := parseSize(memStr)
			if err != nil {
				return usagef("--max-image-memory %q: %w", memStr, err)
			}
			o.MaxMemory = mem
			if o.Precision, err = parsePrecision(prec); err != nil {
				return err
			}
			if err := a.finishClassifyOptions(&o, shardStr, scores); err != nil {
				return err
			}
			return a.runClassify(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Model, "model", "m", "", "model directory, ORG/NAME[@REV] from the Hugging Face cache, or built-in name (default: built-in)")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	f.IntVarP(&o.TopK, "top-k", "k", 5, "classes to print per image (0: all)")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, json, jsonl or csv")
	f.StringVarP(&o.Output, "output", "o", "", "write results to this file instead of standard output")
	f.StringVar(&scores, "scores", "prob", "scores to print: prob (softmax) or logit")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 8, "images per forward pass, at most")
	f.IntVarP(&o.Threads, "threads", "t", 0, "threads for inference and decoding (0: all cores)")
	f.StringVar(&o.Progress, "progress", "auto", "progress bar on stderr: auto (when a terminal and more than one input), always or never")
	f.StringVar(&shardStr, "shard", "", "process only slice I of N of the inputs (I/N, 1 ≤ I ≤ N)")
	f.Int64Var(&o.MaxPixels, "max-pixels", 0, "refuse images with more pixels than this (0: decoder default, 100 M)")
	f.StringVar(&memStr, "max-image-memory", "256MiB", "memory budget of one image (decoding and resizing), e.g. 256MiB, 1GiB; an image over it fails alone")
	f.StringVar(&o.FilesFrom, "files-from", "", "read input paths from FILE, one per line (- for standard input)")
	f.BoolVarP(&o.Null, "null", "0", false, "--files-from entries are NUL-terminated (find -print0)")
	precisionFlag(cmd, &prec)
	return cmd
}

// finishClassifyOptions validates o and fills defaults from the environment.
func (a *app) finishClassifyOptions(o *classifyOptions, shardStr, scores string) error {
	if err := oneOf("--format", o.Format, classify.Formats...); err != nil {
		return err
	}
	switch scores {
	case "prob", "probs", "probability":
		o.Logits = false
	case "logit", "logits":
		o.Logits = true
	default:
		return usagef("--scores %q: want prob or logit", scores)
	}
	if err := oneOf("--progress", o.Progress, progressModes...); err != nil {
		return err
	}
	if o.TopK < 0 {
		return usagef("--top-k %d: want ≥ 0 (0: all classes)", o.TopK)
	}
	if o.BatchSize < 1 || o.BatchSize > maxBatchSize {
		return usagef("--batch-size %d: want 1 to %d", o.BatchSize, maxBatchSize)
	}
	if o.Threads < 0 || o.Threads > maxThreads {
		return usagef("--threads %d: want 0 to %d (0: all cores)", o.Threads, maxThreads)
	}
	if o.Threads == 0 {
		o.Threads = min(a.numCPU, maxThreads)
	}
	if o.MaxPixels < 0 {
		return usagef("--max-pixels %d: want ≥ 0", o.MaxPixels)
	}
	if o.MaxMemory < minImageMemory {
		return usagef("--max-image-memory %d: want at least %d (1 MiB)", o.MaxMemory, minImageMemory)
	}
	if shardStr != "" {
		s, err := classify.ParseShard(shardStr)
		if err != nil {
			return usagef("--shard %q: %w", shardStr, err)
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
	if err := checkOutputNotInput(o); err != nil {
		return err
	}
	o.Offline = a.offline(o.Offline)
	return nil
}

// Bounds of -b and -t: each image of a batch holds its model input and
// activations, and each thread decodes one image within its memory
// budget, so both multiply memory; beyond these nothing gets faster.
const (
	maxBatchSize = 512
	maxThreads   = 256
)

// minImageMemory is the smallest --max-image-memory: below it no image
// of a useful size decodes.
const minImageMemory = 1 << 20

// classifier is a classify.Model the command closes after the run.
type classifier interface {
	classify.Model
	Close() error
}

// modelOptions is how the command opens a model.
type modelOptions struct {
	Threads   int  // inference threads (≥ 1)
	Offline   bool // never download
	Precision kernels.Precision
}

// openModelClassifier opens -m/--model for classify.
func openModelClassifier(ctx context.Context, a *app, spec string, opt modelOptions) (classifier, error) {
	m, _, err := a.openModel(ctx, spec, opt)
	if err != nil {
		return nil, err
	}
	c, err := classify.NewModel(m)
	if err != nil {
		m.Close()
		return nil, err
	}
	return struct {
		classify.Model
		io.Closer
	}{c, m}, nil
}

// classify runs `vit classify`: the model on the inputs, records to
// standard output or o.Output, warnings and the progress bar to stderr. It
// reports errInputsFailed when any input failed. o.Output is replaced only
// once the run has started and its records were written without error,
// interrupted or not; a model that fails to load leaves it untouched.
func (a *app) classify(ctx context.Context, o classifyOptions) error {
	clf, err := a.openClassifier(ctx, a, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline, Precision: o.Precision})
	if err != nil {
		return err
	}
	defer clf.Close()

	stdout, stdoutTTY := a.stdout, a.stdoutTTY
	var outFile *outputFile
	if o.Output != "" {
		if outFile, err = createOutput(o.Output); err != nil {
			return err
		}
		defer outFile.abort()
		stdout, stdoutTTY = outFile, false
	}

	prog := newProgress(o.Progress, a.stderrTTY, a.stderr)
	con := &console{w: a.stderr, prog: prog}
	in := classify.Inputs{Paths: o.Inputs, FilesFrom: o.FilesFrom, Null: o.Null, Stdin: a.stdin, Shard: o.Shard}
	opt := classify.Options{
		TopK: o.TopK, Logits: o.Logits, BatchSize: o.BatchSize, Workers: o.Threads, MaxPixels: o.MaxPixels,
		MaxMemory: o.MaxMemory,
		Warn:      con.println,
		Found:     func() { prog.found.Add(1) },
		WalkDone:  prog.setTotal,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The progress bar's total, counted by a walk of its own that is not
	// held back by the pipeline. Only a regular --files-from file reads the
	// same twice; for a pipe, a FIFO or standard input the two readers
	// would split its lines, so the total stays unknown until the run's
	// walk ends (the bar shows the count). The count stops early once the
	// pipeline's walk has ended and set the total.
	if prog.enabled && in.Recountable() {
		go func() {
			n, err := classify.Count(in, func() bool { return ctx.Err() == nil && prog.total.Load() < 0 })
			if err == nil && ctx.Err() == nil {
				prog.setTotal(n)
			}
		}()
	}
	out := &progressWriter{
		RecordWriter: classify.NewRecordWriter(o.Format, stdout, con.println, o.Logits),
		prog:         prog,
		clear:        stdoutTTY,
	}
	sum, err := classify.Run(ctx, clf, in, opt, out)
	if outFile != nil && !out.failed {
		if cerr := outFile.commit(); cerr != nil && err == nil {
			err = cerr
		}
	}
	switch {
	case err != nil:
		return err
	case sum.Failed > 0:
		return errInputsFailed
	}
	return nil
}

// progressWriter advances the progress bar with each record written,
// clearing it first when the records go to the same terminal.
type progressWriter struct {
	classify.RecordWriter
	prog   *progress
	clear  bool // stdout is a terminal
	failed bool // a write failed: the output is incomplete
}

func (w *progressWriter) Begin() error {
	err := w.RecordWriter.Begin()
	w.failed = w.failed || err != nil
	return err
}

func (w *progressWriter) Write(r *classify.Result) error {
	if w.clear {
		w.prog.clear()
	}
	if err := w.RecordWriter.Write(r); err != nil {
		w.failed = true
		return err
	}
	w.prog.step()
	return nil
}

func (w *progressWriter) End() error {
	w.prog.finish()
	err := w.RecordWriter.End()
	w.failed = w.failed || err != nil
	return err
}
