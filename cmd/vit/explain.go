package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/explain"
)

// explainOptions is a parsed and validated `vit explain` command line.
// Output (-o) is the directory of the pictures; the records go to
// standard output.
type explainOptions struct {
	classifyOptions
	Method explain.Method
	Size   int    // the overlay's long side, pixels
	Ext    string // png | jpg
	Sheet  string // contact sheet file ("" = none)
}

// explainFormats are the values of explain's --format.
var explainFormats = []string{"text", "jsonl", "json"}

const explainLong = `Show where the model looked: for each image, write a picture of it with the
relevance of each patch drawn over it as a heat map (viridis: dark blue low,
yellow high) and the top-k labels in a strip below, and print a record.

Inputs, walking, --files-from, --shard, limits and exit codes are those of
vit classify (see vit classify --help); records come out in input order.

Pictures go to -o DIR (default ./explain/), made when missing, named after the
input file (photos/cat.jpg -> DIR/cat.png; standard input -> DIR/stdin.png).
An existing file is never replaced: -2, -3, ... is added until the name is
free, and the record names the file written. --ext jpg writes JPEG.

Methods (--method):
  rollout  attention rollout (Abnar & Zuidema, 2020): every block's attention,
           averaged over heads, plus the identity for the residual connection,
           multiplied through the blocks, read at the class token (default)
  last     the last block's class-token attention, averaged over heads
  logit    rollout for the top-1 class: the last block's heads weighted by
           their direct contribution to that class's logit instead of averaged
A DeiT with a distillation head reads the mean of the class and distillation
tokens' rows.

Formats: text (the file written and the top-k), jsonl or json: {"path",
"output", "predictions", "grid": [gh, gw], "relevance": [gh*gw floats,
row-major], "error"}.

--sheet FILE.png also writes a contact sheet: a grid of thumbnails of the
overlays with their top-1 labels (the first 400 images).`

const explainExample = `  vit explain photo.jpg                      # explain/photo.png
  vit explain -o out --sheet sheet.png photos/
  vit explain -f jsonl --method logit photos/ > relevance.jsonl`

func (a *app) newExplainCmd() *cobra.Command {
	var (
		o        explainOptions
		shardStr string
		memStr   string
		method   string
	)
	cmd := &cobra.Command{
		Use:     "explain [PATH|-]...",
		Short:   "Draw where the model looked in each image",
		Long:    explainLong,
		Example: explainExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			o.Inputs = args
			mem, err := parseSize(memStr)
			if err != nil {
				return usagef("--max-image-memory %q: %w", memStr, err)
			}
			o.MaxMemory = mem
			if err := a.finishExplainOptions(&o, shardStr, method); err != nil {
				return err
			}
			return a.explainRun(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Model, "model", "m", "", "model directory, ORG/NAME[@REV] from the Hugging Face cache, or built-in name (default: built-in)")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	f.IntVarP(&o.TopK, "top-k", "k", 3, "labels per image in the caption and the record")
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text, jsonl or json")
	f.StringVarP(&o.Output, "output", "o", "explain", "directory for the pictures")
	f.StringVar(&method, "method", string(explain.Rollout), "relevance: rollout, last or logit")
	f.IntVar(&o.Size, "size", explain.DefaultSize, "long side of each picture in pixels, 16 to 4096 (the caption strip is added below)")
	f.StringVar(&o.Ext, "ext", "png", "picture format: png or jpg")
	f.StringVar(&o.Sheet, "sheet", "", "also write a contact sheet of all the overlays to `FILE` (.png or .jpg)")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 8, "images per forward pass, at most")
	f.IntVarP(&o.Threads, "threads", "t", 0, "threads for inference and decoding (0: all cores)")
	f.StringVar(&o.Progress, "progress", "auto", "progress bar on stderr: auto (when a terminal and more than one input), always or never")
	f.StringVar(&shardStr, "shard", "", "process only slice I of N of the inputs (I/N, 1 ≤ I ≤ N)")
	f.Int64Var(&o.MaxPixels, "max-pixels", 0, "refuse images with more pixels than this (0: decoder default, 100 M)")
	f.StringVar(&memStr, "max-image-memory", "256MiB", "memory budget of one image (decoding and resizing), e.g. 256MiB, 1GiB; an image over it fails alone")
	f.StringVar(&o.FilesFrom, "files-from", "", "read input paths from FILE, one per line (- for standard input)")
	f.BoolVarP(&o.Null, "null", "0", false, "--files-from entries are NUL-terminated (find -print0)")
	return cmd
}

// finishExplainOptions validates o: the run options as classify's, then
// explain's own.
func (a *app) finishExplainOptions(o *explainOptions, shardStr, method string) error {
	if err := oneOf("--format", o.Format, explainFormats...); err != nil {
		return err
	}
	// The shared checks, without classify's records file and formats:
	// -o is explain's picture directory.
	dir, format := o.Output, o.Format
	o.Output, o.Format = "", "text"
	err := a.finishClassifyOptions(&o.classifyOptions, shardStr, "prob")
	o.Output, o.Format = dir, format
	if err != nil {
		return err
	}
	m, err := explain.ParseMethod(method)
	if err != nil {
		return usagef("--method: %w", err)
	}
	o.Method = m
	if o.TopK < 1 {
		return usagef("--top-k %d: want ≥ 1", o.TopK)
	}
	if o.Size < 16 || o.Size > 4096 {
		return usagef("--size %d: want 16 to 4096", o.Size)
	}
	if err := oneOf("--ext", o.Ext, "png", "jpg", "jpeg"); err != nil {
		return err
	}
	if o.Output == "" {
		return usagef("-o: want a directory")
	}
	return nil
}

// explainRun runs `vit explain`: the model with its attention hook on the
// inputs, pictures to o.Output, records to standard output, warnings and
// the progress bar to stderr. It reports errInputsFailed when any input
// failed.
func (a *app) explainRun(ctx context.Context, o explainOptions) error {
	m, _, err := a.openModel(ctx, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline})
	if err != nil {
		return err
	}
	defer m.Close()
	r, err := explain.NewRun(m, explain.Options{Method: o.Method, Size: o.Size, TopK: o.TopK})
	if err != nil {
		return err
	}
	defer r.Close()

	prog := newProgress(o.Progress, a.stderrTTY, a.stderr)
	con := &console{w: a.stderr, prog: prog}
	wr, err := explain.NewWriter(o.Format, a.stdout, con.println, con.println,
		explain.WriterOptions{Dir: o.Output, Ext: o.Ext, Sheet: o.Sheet})
	if err != nil {
		return usageError{err}
	}
	in := classify.Inputs{Paths: o.Inputs, FilesFrom: o.FilesFrom, Null: o.Null, Stdin: a.stdin, Shard: o.Shard}
	opt := classify.Options{
		BatchSize: o.BatchSize, Workers: o.Threads, MaxPixels: o.MaxPixels, MaxMemory: o.MaxMemory,
		Record:   r.Record,
		Warn:     con.println,
		Found:    func() { prog.found.Add(1) },
		WalkDone: prog.setTotal,
	}
	out := &progressWriter{RecordWriter: wr, prog: prog, clear: a.stdoutTTY}
	sum, err := classify.Run(ctx, r, in, opt, out)
	switch {
	case err != nil:
		return err
	case sum.Failed > 0:
		return errInputsFailed
	}
	return nil
}
