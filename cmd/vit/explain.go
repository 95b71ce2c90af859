package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/explain"
	"github.com/vitgo/vit/internal/model"
)

// explainOptions is a parsed and validated `vit explain` command line.
// Output (-o) is the directory of the pictures; the records go to
// standard output.
type explainOptions struct {
	runOptions
	TopK   int // labels per image
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

Inputs, walking, --files-from, --shard, model references, limits and exit
codes are those of vit classify (see vit classify --help); records come out in
input order, on standard output.

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
		o      explainOptions
		rf     *runFlags
		method string
	)
	cmd := &cobra.Command{
		Use:     "explain [PATH|-]...",
		Short:   "Draw where the model looked in each image",
		Long:    explainLong,
		Example: explainExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := rf.finish(a, args); err != nil {
				return err
			}
			if err := finishExplainOptions(&o, method); err != nil {
				return err
			}
			return a.explainRun(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	rf = addRunFlags(f, &o.runOptions, explainFormats)
	f.Lookup("output").Usage = "directory for the pictures (default: explain)"
	f.IntVarP(&o.TopK, "top-k", "k", 3, "labels per image in the caption and the record")
	f.StringVar(&method, "method", string(explain.Rollout), "relevance: rollout, last or logit")
	f.IntVar(&o.Size, "size", explain.DefaultSize, "long side of each picture in pixels, 16 to 4096 (the caption strip is added below)")
	f.StringVar(&o.Ext, "ext", "png", "picture format: png or jpg")
	f.StringVar(&o.Sheet, "sheet", "", "also write a contact sheet of all the overlays to `FILE` (.png or .jpg)")
	return cmd
}

// finishExplainOptions validates the options of explain alone.
func finishExplainOptions(o *explainOptions, method string) error {
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
	if err := o.writerOptions().Check(); err != nil {
		return usageError{err}
	}
	if o.Output == "" {
		o.Output = "explain"
	}
	return nil
}

func (o *explainOptions) writerOptions() explain.WriterOptions {
	return explain.WriterOptions{Dir: o.Output, Ext: o.Ext, Sheet: o.Sheet}
}

// explainModel is an explain run with the model it hooks; Close closes both.
type explainModel struct {
	*explain.Run
	m *model.Model
}

func (e explainModel) Close() error {
	e.Run.Close()
	return e.m.Close()
}

// explainRun runs `vit explain`: the model with its attention hook on the
// inputs (see runImages), pictures to the directory o.Output, records to
// standard output. It reports errInputsFailed when any input failed.
func (a *app) explainRun(ctx context.Context, o explainOptions) error {
	m, _, err := a.openModel(ctx, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline})
	if err != nil {
		return err
	}
	r, err := explain.NewRun(m, explain.Options{Method: o.Method, Size: o.Size, TopK: o.TopK})
	if err != nil {
		m.Close()
		return err
	}
	wo := o.writerOptions()
	sink := recordSink{newWriter: func(out io.Writer, errlog func(string), _ bool) (classify.RecordWriter, error) {
		return explain.NewWriter(o.Format, out, errlog, errlog, wo)
	}}
	ro := o.runOptions
	ro.Output = "" // -o is the pictures' directory; the records go to standard output
	return a.runImages(ctx, "explain", &ro, explainModel{r, m}, classify.Options{Record: r.Record}, sink)
}
