package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/kernels"
)

// runOptions are the options shared by the commands that run a model over
// images (classify, embed, explain): the model, the inputs and how they
// are walked, the output file and format, batching and limits. A command's
// options embed them; addRunFlags registers their flags and
// runFlags.finish validates them.
type runOptions struct {
	Model     string         // -m: directory, ORG/NAME[@REV], or built-in name ("" = built-in default)
	Offline   bool           // --offline or HF_HUB_OFFLINE: never download
	Format    string         // one of the command's formats
	Output    string         // -o: write results to this file ("" = standard output)
	BatchSize int            // images per forward pass, at most
	Threads   int            // inference threads and decode workers (resolved: ≥ 1)
	Progress  string         // auto | always | never
	Shard     classify.Shard // Count 0: no sharding
	MaxPixels int64          // decode limit; 0 = the decoder's default
	MaxMemory int64          // memory budget of one image, bytes (≥ minImageMemory)
	Draft     bool           // --draft: JPEGs may decode scaled in the DCT domain (faster, not exact)
	FilesFrom string         // "" | path | "-" (stdin)
	Null      bool           // -0: --files-from entries end with NUL, not newline
	Walk      classify.Walk  // --hidden, -L, -g/--iglob, --max-depth
	Resume    bool           // --resume: append to -o, skipping the paths it has
	Verbose   bool           // -v: the end-of-run summary even when stderr is no terminal
	Quiet     bool           // -q: no warnings, no summary
	Precision kernels.Precision
	Inputs    []string
}

// runFlags holds the raw values of the run flags that finish parses.
type runFlags struct {
	o       *runOptions
	flags   *pflag.FlagSet
	formats []string
	shard   string
	mem     string
	prec    string
}

// addRunFlags registers the shared run flags on f, storing into o;
// formats are the command's --format values, the first the default.
func addRunFlags(f *pflag.FlagSet, o *runOptions, formats []string) *runFlags {
	rf := &runFlags{o: o, formats: formats}
	f.StringVarP(&o.Model, "model", "m", "", "model directory, ORG/NAME[@REV] from the Hugging Face cache, or built-in name (default: built-in)")
	f.BoolVar(&o.Offline, "offline", false, "never download models (also: HF_HUB_OFFLINE=1)")
	f.StringVarP(&o.Format, "format", "f", formats[0], "output format: "+orList(formats))
	f.StringVarP(&o.Output, "output", "o", "", "write results to this file instead of standard output")
	f.IntVarP(&o.BatchSize, "batch-size", "b", 8, "images per forward pass, at most")
	f.IntVarP(&o.Threads, "threads", "t", 0, "threads for inference and decoding (0: all cores)")
	f.StringVar(&o.Progress, "progress", "auto", "progress bar on stderr: auto (when a terminal and more than one input), always or never")
	f.StringVar(&rf.shard, "shard", "", "process only slice I of N of the inputs (I/N, 1 ≤ I ≤ N)")
	f.Var(countFlag{&o.MaxPixels}, "max-pixels", "refuse images with more pixels than `N`, e.g. 1e6 or 50M (0: decoder default, 100M)")
	f.BoolVar(&o.Draft, "draft", false, "decode large JPEGs at 1/2, 1/4 or 1/8 scale when the model's input is that much smaller, as PIL's Image.draft does (much faster; pixels differ from the reference pipeline)")
	f.StringVar(&rf.mem, "max-image-memory", "256MiB", "memory budget of one image (decoding and resizing), e.g. 256MiB, 1GiB; an image over it fails alone")
	f.StringVar(&o.FilesFrom, "files-from", "", "read input paths from FILE, one per line (- for standard input)")
	f.BoolVarP(&o.Null, "null", "0", false, "--files-from entries are NUL-terminated (find -print0)")
	f.BoolVar(&o.Walk.Hidden, "hidden", false, "walk into and take names that start with \".\" (.git is never entered)")
	f.BoolVarP(&o.Walk.Follow, "follow", "L", false, "follow symbolic links inside directories (arguments that are links are always followed)")
	f.VarP(globFlag{&o.Walk.Globs, false}, "glob", "g", "walk only paths matching `GLOB` (relative to the directory argument; !GLOB excludes; repeatable, the last match wins)")
	f.Var(globFlag{&o.Walk.Globs, true}, "iglob", "as --glob, case-insensitively")
	f.IntVar(&o.Walk.MaxDepth, "max-depth", 0, "descend at most `N` directory levels (1: the files directly in each directory argument)")
	f.BoolVar(&o.Resume, "resume", false, "with -o FILE: keep the records already in FILE, skip their paths and append the rest")
	f.BoolVarP(&o.Verbose, "verbose", "v", false, "print the end-of-run summary on stderr (the default when stderr is a terminal)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "no warnings and no summary on stderr (errors are still reported)")
	f.StringVar(&rf.prec, "precision", "fp32", precisionUsage)
	rf.flags = f
	return rf
}

// globFlag is -g/--glob and --iglob: each value, parsed, appended to one
// list in command-line order, so the last match wins across both flags.
type globFlag struct {
	globs      *[]classify.Glob
	ignoreCase bool
}

func (g globFlag) Set(s string) error {
	gl, err := classify.ParseGlob(s, g.ignoreCase)
	if err != nil {
		return err
	}
	*g.globs = append(*g.globs, gl)
	return nil
}

func (g globFlag) Type() string { return "glob" }

func (g globFlag) String() string {
	var s []string
	for _, gl := range *g.globs {
		if gl.IgnoreCase == g.ignoreCase {
			s = append(s, gl.String())
		}
	}
	return strings.Join(s, ",")
}

// finish validates the run options after parsing, with the command's
// arguments as inputs, and fills defaults from the environment.
func (rf *runFlags) finish(a *app, args []string) error {
	o := rf.o
	o.Inputs = args
	mem, err := parseSize(rf.mem)
	if err != nil {
		return usagef("--max-image-memory %q: %w", rf.mem, err)
	}
	o.MaxMemory = mem
	if o.Precision, err = parsePrecision(rf.prec); err != nil {
		return err
	}
	if err := oneOf("--format", o.Format, rf.formats...); err != nil {
		return err
	}
	if err := oneOf("--progress", o.Progress, progressModes...); err != nil {
		return err
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
	if o.Walk.MaxDepth < 0 || (o.Walk.MaxDepth == 0 && rf.flags.Changed("max-depth")) {
		return usagef("--max-depth %d: want ≥ 1 (1: the files directly in each directory argument)", o.Walk.MaxDepth)
	}
	if o.MaxPixels < 0 {
		return usagef("--max-pixels %d: want ≥ 0", o.MaxPixels)
	}
	if o.MaxMemory < minImageMemory {
		return usagef("--max-image-memory %d: want at least %d (1 MiB)", o.MaxMemory, minImageMemory)
	}
	if rf.shard != "" {
		s, err := classify.ParseShard(rf.shard)
		if err != nil {
			return usagef("--shard %q: %w", rf.shard, err)
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
	if o.Resume {
		if o.Output == "" {
			return usagef("--resume needs -o FILE (the file to resume)")
		}
		if !slices.Contains(classify.ResumeFormats, o.Format) {
			return usagef("--resume works with -f %s, not %s", orList(intersect(rf.formats, classify.ResumeFormats)), o.Format)
		}
	}
	if o.Verbose && o.Quiet {
		return usagef("-v/--verbose and -q/--quiet contradict each other")
	}
	if err := checkOutputNotInput(o); err != nil {
		return err
	}
	o.Offline = a.offline(rf.flags)
	return nil
}

// intersect returns the values of a that are in b, in a's order.
func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		if slices.Contains(b, v) {
			out = append(out, v)
		}
	}
	return out
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

// runModel is a classify.Model the command closes after the run.
type runModel interface {
	classify.Model
	Close() error
}

// modelOptions is how the command opens a model.
type modelOptions struct {
	Threads   int  // inference threads (≥ 1)
	Offline   bool // never download
	Precision kernels.Precision
}

// recordSink makes a run's record writer once the output is open: out is
// standard output or the -o file, errlog prints a line on stderr, and
// appending says the records follow those of an earlier run (--resume
// into a file that has some: csv writes no header again). A sink that
// writes files of its own (npy's paths file) commits them in commit,
// called only when the run's records were all written.
type recordSink struct {
	newWriter    func(out io.Writer, errlog func(string), appending bool) (classify.RecordWriter, error)
	resumeHeader []string     // the csv or tsv header the run writes (nil: none), for --resume to check
	commit       func() error // nil: nothing to commit
	abort        func()       // nil: nothing to remove
}

// runVerbs name what each command does to an image, for the summary.
var runVerbs = map[string]string{"classify": "classified", "embed": "embedded", "explain": "explained"}

// runImages runs `vit name`: m over o's inputs with opt, writing records
// through sink to standard output or o.Output, warnings, progress and the
// summary to stderr; it closes m. It reports errInputsFailed when any
// input failed. o.Output is replaced only once the run has started and its
// records were written without error, interrupted or not; with o.Resume
// it is appended to in place instead, record by record, so a killed run
// keeps what it wrote.
func (a *app) runImages(ctx context.Context, name string, o *runOptions, m runModel, opt classify.Options, sink recordSink) error {
	defer m.Close()
	if sink.abort != nil {
		defer sink.abort()
	}

	stdout, stdoutTTY := a.stdout, a.stdoutTTY
	var (
		outFile *outputFile
		resumed classify.Resumed
		err     error
	)
	appending := false
	switch {
	case o.Resume:
		f, err := os.OpenFile(o.Output, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("-o %s: %w", o.Output, bareErr(err))
		}
		defer f.Close()
		if resumed, err = classify.Resume(f, o.Format, sink.resumeHeader); err != nil {
			return err
		}
		if resumed.Dropped && !o.Quiet {
			fmt.Fprintf(a.stderr, "vit: %s: its last record was cut short; it is done again\n", o.Output)
		}
		appending = resumed.Records > 0 || resumed.Header
		stdout, stdoutTTY = f, false
	case o.Output != "":
		if outFile, err = createOutput("-o", o.Output); err != nil {
			return err
		}
		defer outFile.abort()
		stdout, stdoutTTY = outFile, false
	}

	prog := newProgress(name, o.Progress, a.stderrTTY, a.stderr)
	con := &console{w: a.stderr, prog: prog}
	in := classify.Inputs{Paths: o.Inputs, FilesFrom: o.FilesFrom, Null: o.Null, Stdin: a.stdin, Shard: o.Shard, Walk: o.Walk}
	if o.Resume {
		in.Skip = func(p string) bool { return resumed.Done[p] }
	}
	opt.BatchSize, opt.Workers = o.BatchSize, o.Threads
	opt.MaxPixels, opt.MaxMemory, opt.Draft = o.MaxPixels, o.MaxMemory, o.Draft
	if !o.Quiet {
		opt.Warn = con.println
	}
	opt.Found = func() { prog.found.Add(1) }
	opt.WalkDone = prog.setTotal
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The progress total, counted by a walk of its own that is not held
	// back by the pipeline. Only a regular --files-from file reads the same
	// twice; for a pipe, a FIFO or standard input the two readers would
	// split its lines, so the total stays unknown until the run's walk ends
	// (progress shows the count). The count stops early once the
	// pipeline's walk has ended and set the total.
	if prog.enabled && in.Recountable() {
		go func() {
			n, err := classify.Count(in, func() bool { return ctx.Err() == nil && prog.total.Load() < 0 })
			if err == nil && ctx.Err() == nil {
				prog.setTotal(n)
			}
		}()
	}
	rw, err := sink.newWriter(stdout, con.println, appending)
	if err != nil {
		return err
	}
	out := &progressWriter{RecordWriter: rw, prog: prog, clear: stdoutTTY}
	start := time.Now()
	sum, err := classify.Run(ctx, m, in, opt, out)
	if !out.failed {
		if outFile != nil {
			if cerr := outFile.commit(); cerr != nil && err == nil {
				err = cerr
			}
		}
		if sink.commit != nil {
			if cerr := sink.commit(); cerr != nil && err == nil {
				err = cerr
			}
		}
	}
	if (a.stderrTTY || o.Verbose) && !o.Quiet {
		fmt.Fprintf(a.stderr, "vit: %s\n", runSummary(name, sum, time.Since(start), resumed.Records, o.Output))
	}
	switch {
	case err != nil:
		return err
	case sum.Failed > 0:
		return errInputsFailed
	}
	return nil
}

// runSummary is the end-of-run line: "315 classified, 5 failed, 18.2 s,
// 17.3 img/s", and "; 1200 already in FILE" after --resume.
func runSummary(name string, sum classify.Summary, el time.Duration, resumed int, output string) string {
	verb := runVerbs[name]
	if verb == "" {
		verb = "done"
	}
	s := fmt.Sprintf("%d %s, %d failed, %.1f s", sum.Inputs-sum.Failed, verb, sum.Failed, el.Seconds())
	if el > 0 && sum.Inputs > 0 {
		s += fmt.Sprintf(", %.1f img/s", float64(sum.Inputs)/el.Seconds())
	}
	if resumed > 0 {
		s += fmt.Sprintf("; %d already in %s", resumed, output)
	}
	return s
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
