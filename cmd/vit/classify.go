package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/model"
)

// classifyOptions is a parsed and validated `vit classify` command line.
type classifyOptions struct {
	runOptions
	TopK   int  // predictions per image; 0 = all classes
	Logits bool // --scores logit (default: softmax probabilities)
}

const classifyLong = `Classify images and print the top-k classes of each.

Inputs are image files, directories, "-" for one image read from standard
input, and the files listed by --files-from (any name; directories there are
skipped, with one warning, so plain "find DIR -print0" output works). Results
come out in input order; an argument given twice is taken once.

Directories are walked as fd and ripgrep walk them: recursively, keeping files
with an image extension (jpg jpeg jpe jfif png gif bmp tif tiff webp, any
case), each directory's entries in byte order of their names. Names starting
with "." are skipped (--hidden takes them; .git is never entered), symbolic
links inside directories are not followed (-L follows them, ending link
cycles), --max-depth N limits the levels, and -g/--glob GLOB (repeatable,
!GLOB excludes, the last match wins; --iglob ignores case) filters the paths
below each directory argument, as ripgrep's -g.

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
		o      classifyOptions
		rf     *runFlags
		scores string
	)
	cmd := &cobra.Command{
		Use:     "classify [PATH|-]...",
		Short:   "Classify image files, directories or standard input",
		Long:    classifyLong,
		Example: classifyExample,
		RunE: a.runE(func(cmd *cobra.Command, args []string) error {
			if err := rf.finish(a, args); err != nil {
				return err
			}
			if err := finishClassifyOptions(&o, scores); err != nil {
				return err
			}
			return a.runClassify(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	rf = addRunFlags(f, &o.runOptions, classify.Formats)
	f.IntVarP(&o.TopK, "top-k", "k", 5, "classes to print per image (0: all)")
	f.StringVar(&scores, "scores", "prob", "scores to print: prob (softmax) or logit")
	return cmd
}

// finishClassifyOptions validates the options of classify alone.
func finishClassifyOptions(o *classifyOptions, scores string) error {
	switch scores {
	case "prob", "probs", "probability":
		o.Logits = false
	case "logit", "logits":
		o.Logits = true
	default:
		return usagef("--scores %q: want prob or logit", scores)
	}
	if o.TopK < 0 {
		return usagef("--top-k %d: want ≥ 0 (0: all classes)", o.TopK)
	}
	return nil
}

// openModelClassifier opens -m/--model for classify.
func openModelClassifier(ctx context.Context, a *app, spec string, opt modelOptions) (runModel, error) {
	return a.openRunModel(ctx, spec, opt, classify.NewModel)
}

// openRunModel opens -m/--model and adapts it to a run with adapt.
func (a *app) openRunModel(ctx context.Context, spec string, opt modelOptions, adapt func(*model.Model) (classify.Model, error)) (runModel, error) {
	m, _, err := a.openModel(ctx, spec, opt)
	if err != nil {
		return nil, err
	}
	c, err := adapt(m)
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
// standard output or o.Output (see runImages). It reports
// errInputsFailed when any input failed; a model that fails to load
// leaves o.Output untouched.
func (a *app) classify(ctx context.Context, o classifyOptions) error {
	clf, err := a.openClassifier(ctx, a, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline})
	if err != nil {
		return err
	}
	opt := classify.Options{TopK: o.TopK, Logits: o.Logits}
	sink := recordSink{newWriter: func(out io.Writer, errlog func(string)) (classify.RecordWriter, error) {
		return classify.NewRecordWriter(o.Format, out, errlog, o.Logits), nil
	}}
	return a.runImages(ctx, "classify", &o.runOptions, clf, opt, sink)
}
