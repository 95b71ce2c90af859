package main

import (
	"context"
	"io"
	"math"

	"github.com/spf13/cobra"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/model"
)

// classifyOptions is a parsed and validated `vit classify` command line.
type classifyOptions struct {
	runOptions
	TopK     int                // predictions per image; 0 = all classes
	Scores   classify.ScoreFunc // --scores (ScoreAuto: the model's own, softmax or sigmoid)
	MinScore *float32           // --min-score: drop predictions below it (nil: keep all)
	NoHeader bool               // --no-header: csv and tsv without their header line
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

Scores are probabilities (--scores prob): a softmax over the classes, or each
class's sigmoid for a model whose config.json says problem_type
multi_label_classification. --scores softmax, sigmoid or logit (the raw
logits) overrides, as the Hugging Face pipeline's function_to_apply.
--min-score P drops the predictions scoring below P (an image may keep none).

Formats: text (for people), json, jsonl, csv (a row per prediction) and tsv
(one line per image: path, label, score, then label_N, score_N for each
further class of -k, then error; --no-header drops csv's and tsv's header).

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
		rf       *runFlags
		scores   string
		minScore float64
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
			if cmd.Flags().Changed("min-score") {
				if math.IsNaN(minScore) {
					return usagef("--min-score NaN: want a number")
				}
				ms := float32(minScore)
				o.MinScore = &ms
			}
			return a.runClassify(cmd.Context(), o)
		}),
	}
	f := cmd.Flags()
	rf = addRunFlags(f, &o.runOptions, classify.Formats)
	f.IntVarP(&o.TopK, "top-k", "k", 5, "classes to print per image (0: all)")
	f.StringVar(&scores, "scores", "prob", "scores to print: prob (the model's: softmax, or sigmoid for a multi-label model), softmax, sigmoid or logit")
	f.Float64Var(&minScore, "min-score", 0, "drop predictions scoring below `P` (in the units of --scores)")
	f.BoolVar(&o.NoHeader, "no-header", false, "csv, tsv: leave out the header line")
	return cmd
}

// finishClassifyOptions validates the options of classify alone.
func finishClassifyOptions(o *classifyOptions, scores string) error {
	fn, err := classify.ParseScoreFunc(scores)
	if err != nil {
		return usagef("--scores %q: %w", scores, err)
	}
	o.Scores = fn
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
	return openedModel{c, m}, nil
}

// openedModel is a run's model with the loaded model it closes.
type openedModel struct {
	classify.Model
	io.Closer
}

// MultiLabel passes on the model's (see classify.IsMultiLabel).
func (m openedModel) MultiLabel() bool { return classify.IsMultiLabel(m.Model) }

// classify runs `vit classify`: the model on the inputs, records to
// standard output or o.Output (see runImages). It reports
// errInputsFailed when any input failed; a model that fails to load
// leaves o.Output untouched.
func (a *app) classify(ctx context.Context, o classifyOptions) error {
	clf, err := a.openClassifier(ctx, a, o.Model, modelOptions{Threads: o.Threads, Offline: o.Offline, Precision: o.Precision})
	if err != nil {
		return err
	}
	opt := classify.Options{TopK: o.TopK, Scores: o.Scores, MinScore: o.MinScore}
	cols := o.TopK
	if n := clf.OutLen(); cols <= 0 || cols > n {
		cols = n
	}
	sink := recordSink{newWriter: func(out io.Writer, errlog func(string), appending bool) (classify.RecordWriter, error) {
		return classify.NewRecordWriter(o.Format, out, classify.WriterOptions{
			ErrLog: errlog, Logits: !o.Scores.Probabilities(), NoHeader: o.NoHeader || appending, Columns: cols,
		}), nil
	}}
	if !o.NoHeader {
		sink.resumeHeader = classify.CSVHeader
	}
	return a.runImages(ctx, "classify", &o.runOptions, clf, opt, sink)
}
