package main

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
)

// embedOptions is a parsed and validated `vit embed` command line.
type embedOptions struct {
	runOptions
	Normalize bool   // scale each vector to unit L2 norm
	Paths     string // npy: the paths file (resolved from -o when not given)
}

// embedFormats are the values of embed's --format.
var embedFormats = []string{"jsonl", "npy"}

const embedLong = `Write each image's embedding: the pooled vector the model's classifier head
reads (the class token after the final LayerNorm; for a DeiT with a
distillation head the mean of the class and distillation tokens), for
similarity search, deduplication and clustering.

Inputs, walking, --files-from, --shard, limits and exit codes are those of
vit classify (see vit classify --help), and records come out in input order.

Formats:
  jsonl  one object a line: {"path": ..., "embedding": [...]} or
         {"path": ..., "error": ...}
  npy    -o FILE.npy: one float32 matrix [N, D] (NumPy .npy, read with
         numpy.load alone), row i the i-th image that succeeded in input
         order, and a paths file (--paths, default FILE.paths.txt) whose
         line i names row i; failed inputs are reported on stderr.

--normalize scales each vector to unit L2 norm, so a dot product is the
cosine similarity.`

const embedExample = `  vit embed -f jsonl photos/ > embeddings.jsonl
  vit embed --normalize -f npy -o emb.npy photos/     # emb.npy + emb.paths.txt
  python3 -c 'import numpy as np; e = np.load("emb.npy"); print(e.shape, e @ e[0])'`

func (a *app) newEmbedCmd() *cobra.Command {
	var (
		o  embedOptions
		rf *runFlags
	)
	cmd := &cobra.Command{
		Use:     "embed [PATH|-]...",
		Short:   "Write the embedding vector of each image",
		Long:    embedLong,
		Example: embedExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := rf.finish(a, args); err != nil {
				return err
			}
			if err := finishEmbedOptions(&o); err != nil {
				return err
			}
			return a.runEmbed(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	rf = addRunFlags(f, &o.runOptions, embedFormats)
	f.BoolVar(&o.Normalize, "normalize", false, "scale each embedding to unit L2 norm")
	f.StringVar(&o.Paths, "paths", "", "npy: write the paths of the matrix's rows to this file (default: -o with .npy replaced by .paths.txt)")
	return cmd
}

// finishEmbedOptions validates the options of embed alone.
func finishEmbedOptions(o *embedOptions) error {
	if o.Format != "npy" {
		if o.Paths != "" {
			return usagef("--paths is for -f npy")
		}
		return nil
	}
	if o.Output == "" {
		return usagef("-f npy needs -o FILE.npy (the matrix's header is rewritten at the end, so it goes to a file)")
	}
	if o.Paths == "" {
		o.Paths = strings.TrimSuffix(o.Output, ".npy") + ".paths.txt"
	}
	if o.Paths == o.Output {
		return usagef("--paths %s is -o", o.Paths)
	}
	return checkOutputNotInput(&runOptions{Output: o.Paths, Inputs: o.Inputs, FilesFrom: o.FilesFrom})
}

// openModelEmbedder opens -m/--model for embed.
func openModelEmbedder(ctx context.Context, a *app, spec string, opt modelOptions) (runModel, error) {
	return a.openRunModel(ctx, spec, opt, classify.NewEmbedder)
}

// embed runs `vit embed`, as classify runs `vit classify`.
func (a *app) embed(ctx context.Context, o embedOptions) error {
	m, err := a.openEmbedder(ctx, a, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline, Precision: o.Precision})
	if err != nil {
		return err
	}
	opt := classify.Options{Record: classify.EmbedRecord(o.Normalize)}
	var sink recordSink
	if o.Format == "npy" {
		paths, err := createOutput(o.Paths)
		if err != nil {
			m.Close()
			return err
		}
		sink = recordSink{
			newWriter: func(out io.Writer, errlog func(string), _ bool) (classify.RecordWriter, error) {
				ws, ok := out.(io.WriteSeeker)
				if !ok {
					return nil, errors.New("-f npy: the output cannot seek")
				}
				return classify.NewNPYWriter(ws, paths, errlog), nil
			},
			commit: paths.commit,
			abort:  paths.abort,
		}
	} else {
		sink.newWriter = func(out io.Writer, errlog func(string), _ bool) (classify.RecordWriter, error) {
			return classify.NewRecordWriter(o.Format, out, classify.WriterOptions{ErrLog: errlog}), nil
		}
	}
	return a.runImages(ctx, "embed", &o.runOptions, m, opt, sink)
}
