package classify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/vitgo/vit/internal/preprocess"
)

// Options configure one Run.
type Options struct {
	TopK      int       // predictions per input, best first; 0 or more than L: all classes
	Scores    ScoreFunc // how classes are scored (ScoreAuto: the model's own, see MultiLabel)
	MinScore  *float32  // when set, predictions scoring below it are dropped (an input may keep none)
	BatchSize int       // images per Forward, at most (< 1: 1)
	Workers   int       // decode workers, each preparing one image at a time (< 1: 1)
	MaxPixels int64     // decode limit; 0 = the decoder's default
	MaxMemory int64     // memory budget of one image in bytes; 0 = preprocess.DefaultMaxMemory
	Draft     bool      // JPEGs may decode at 1/2–1/8 scale (preprocess.Limits.Draft): faster, not the reference pixels

	// Warn, when set, receives warnings for the user: a directory skipped
	// (listed by FilesFrom, or entered twice), no inputs found. It is
	// called from several goroutines, one call at a time.
	Warn func(msg string)
	// Found, when set, is called once for each input the walk emits, as
	// it emits it; WalkDone with the total when the walk ends.
	Found    func()
	WalkDone func(total int64)

	// Record, when set, makes each image's record from its row of model
	// output out [OutLen] instead of the top-k predictions (TopK, Scores
	// and MinScore are then unused): it sets r.Value, or returns an error that
	// becomes the input's error record. out is valid only during the
	// call; r.Path is set. It is called from one goroutine, one image at a
	// time, in the order images finish (not input order). This is how a
	// run computes something other than labels (EmbedRecord: a vector per
	// image) with the same inputs, walking, batching, error records and
	// ordered output. nil: the model must have Labels.
	Record func(r *Result, out []float32) error
}

// Summary counts what one Run wrote.
type Summary struct {
	Inputs int // records written
	Failed int // of them, error records
}

// job is one input with its position in the output.
type job struct {
	seq int
	input
}

// sample is one decoded image's model input, pooled and reused.
type sample struct {
	seq   int
	path  string
	input []float32 // [InputLen]
}

type pipeline struct {
	m      Model
	o      Options
	in     Inputs
	inLen  int      // input values per image
	outLen int      // output values per image (O)
	labels []string // [L] (L = O), or nil with Options.Record
	window int

	tokens  chan struct{}
	jobs    chan job
	ready   chan *sample
	results chan *Result

	free      chan *sample // the sample pool
	allocated atomic.Int32 // samples made so far (≤ cap(free))

	warnMu    sync.Mutex
	listedDir bool // a FilesFrom directory was skipped and said so (write's own)
}

// Run classifies in with m and writes one record per input to out, in
// input order, each as soon as it and all before it are done:
//
//	walker ──jobs──▶ decode workers ──ready──▶ inference ──results──▶ ordered writer
//	   (streams paths)   (Workers of them:        (one goroutine: Forward   (input order,
//	                      decode, preprocess       on up to BatchSize        reorder window
//	                      into a pooled sample)    images at a time)         of `window`)
//
// Every stage is bounded, so memory stays flat whatever the number of
// inputs: the walker takes a token from `tokens` (capacity `window`) for
// each input and the writer returns it once that input's record is
// written, so at most `window` inputs are anywhere in the pipeline. Failed
// inputs go straight from the workers to the writer. Inference takes
// whatever samples are ready, up to BatchSize, and runs at once rather
// than wait for a full batch, so decoding overlaps inference and a stall
// or the end of the input never holds back a partial batch.
//
// An input that cannot be read, decoded or run becomes an error record and
// the rest go on; Summary.Failed counts them. The error is for the run as
// a whole: the first write error (after which Run stops), a FilesFrom list
// that cannot be read, or ctx's error when it ends first (the records
// finished before it, an unbroken prefix of the inputs, are written). out
// is begun and ended in every case but one: a model without Labels and no
// Options.Record is refused before anything runs.
func Run(ctx context.Context, m Model, in Inputs, o Options, out RecordWriter) (Summary, error) {
	if o.Record == nil && len(m.Labels()) != m.OutLen() {
		return Summary{}, fmt.Errorf("model has %d outputs and %d labels; a run without Options.Record needs one label per output", m.OutLen(), len(m.Labels()))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	o.Workers = max(o.Workers, 1)
	o.BatchSize = max(o.BatchSize, 1)
	o.Scores = o.Scores.resolve(IsMultiLabel(m))
	workers, b := o.Workers, o.BatchSize
	p := &pipeline{
		m:      m,
		o:      o,
		in:     in,
		inLen:  m.InputLen(),
		outLen: m.OutLen(),
		labels: m.Labels(),
		window: 4*b + 2*workers + 16,
	}
	p.tokens = make(chan struct{}, p.window)
	p.jobs = make(chan job, workers)
	p.ready = make(chan *sample, 2*b)
	p.results = make(chan *Result, p.window)
	p.free = make(chan *sample, 2*b+workers)

	// Walker.
	var walkErr error
	var found int64
	walkDone := make(chan struct{})
	go func() {
		defer close(walkDone)
		defer close(p.jobs)
		src := &source{Inputs: in, warn: p.warn, stop: func() bool { return ctx.Err() != nil }, ctx: ctx}
		walkErr = src.run(func(in input) bool {
			select {
			case p.tokens <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			found++
			if o.Found != nil {
				o.Found()
			}
			p.jobs <- job{seq: int(found - 1), input: in}
			return true
		})
		if o.WalkDone != nil {
			o.WalkDone(found)
		}
	}()

	// Decode workers.
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.worker(ctx)
		}()
	}
	// Inference.
	inferDone := make(chan struct{})
	go func() {
		defer close(inferDone)
		p.infer(ctx)
	}()
	go func() {
		wg.Wait()
		close(p.ready)
		<-inferDone
		close(p.results)
	}()

	sum, writeErr := p.write(cancel, out)
	<-walkDone
	if found == 0 && walkErr == nil && ctx.Err() == nil {
		msg := "no images found (directories are searched for " + imageExtList + ")"
		if len(in.Walk.Globs) > 0 {
			msg = "no images found (directories are searched for " + imageExtList + " that the globs keep)"
		}
		if in.Shard.Count > 1 {
			msg = "no inputs fall in shard " + in.Shard.String()
		}
		p.warn(msg)
	}
	switch {
	case writeErr != nil:
		return sum, writeErr
	case walkErr != nil:
		return sum, walkErr
	case ctx.Err() != nil:
		return sum, ctx.Err()
	}
	return sum, nil
}

// warn passes msg to Options.Warn, one call at a time, escaped as text
// output is (a warning names paths, which may hold control characters).
func (p *pipeline) warn(msg string) {
	if p.o.Warn == nil {
		return
	}
	p.warnMu.Lock()
	defer p.warnMu.Unlock()
	p.o.Warn(EscapeText(msg))
}

// getSample takes a pooled sample, making a new one while the pool is not
// full. It returns nil when ctx ends first.
func (p *pipeline) getSample(ctx context.Context) *sample {
	select {
	case s := <-p.free:
		return s
	default:
	}
	if n := p.allocated.Add(1); int(n) <= cap(p.free) {
		return &sample{input: make([]float32, p.inLen)}
	}
	select {
	case s := <-p.free:
		return s
	case <-ctx.Done():
		return nil
	}
}

func (p *pipeline) putSample(s *sample) { p.free <- s }

// worker decodes and preprocesses jobs into samples for inference; failed
// jobs become error results.
func (p *pipeline) worker(ctx context.Context) {
	lim := preprocess.Limits{MaxPixels: p.o.MaxPixels, MaxMemory: p.o.MaxMemory, Context: ctx, Draft: p.o.Draft}
	for j := range p.jobs {
		r := &Result{seq: j.seq, Path: j.path}
		if ctx.Err() != nil {
			r.canceled = true
			p.results <- r
			continue
		}
		if j.kind == inFailed {
			r.Err = j.err
			p.results <- r
			continue
		}
		s := p.getSample(ctx)
		if s == nil {
			r.canceled = true
			p.results <- r
			continue
		}
		skip, err := p.prepare(ctx, j.input, lim, s.input)
		if skip || err != nil {
			p.putSample(s)
			r.Err, r.skip = err, skip
			// A decode stopped by the interrupt is not a failed input: it
			// never ran, like the inputs after it.
			r.canceled = ctx.Err() != nil && (errors.Is(err, preprocess.ErrCanceled) || errors.Is(err, ctx.Err()))
			p.results <- r
			continue
		}
		s.seq, s.path = j.seq, j.path
		p.ready <- s
	}
}

// prepare opens one input and runs the model's preprocessing on it into
// dst [InputLen]. skip is true for a directory listed by FilesFrom.
// Reads that may wait on another process (standard input, a FIFO) and
// the open of a FIFO end when ctx does.
func (p *pipeline) prepare(ctx context.Context, in input, lim preprocess.Limits, dst []float32) (skip bool, err error) {
	var r io.Reader
	switch in.kind {
	case inStdin:
		r = newCtxReader(ctx, p.in.Stdin)
	default:
		f, err := openCtx(ctx, in.path)
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			return false, err
		}
		defer f.Close()
		if in.kind == inListed {
			if fi, err := f.Stat(); err == nil && fi.IsDir() {
				return true, nil // said once, in input order, by write
			}
		}
		r = f
		if mayBlock(f) {
			r = newCtxReader(ctx, f)
		}
	}
	return false, guard("preparing the image", func() error { return p.m.Prepare(in.path, r, lim, dst) })
}

// PanicError is a panic inside the model's Prepare or Forward, caught and
// made the error of the inputs it concerned so the rest of the run goes
// on.
type PanicError struct {
	During string // what was running: "preparing the image", "forward pass"
	Value  any    // what panicked
	Stack  []byte // the goroutine's stack at the panic
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error while %s: %v", e.During, e.Value)
}

// guard runs f, turning a panic into a *PanicError.
func guard(during string, f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{During: during, Value: v, Stack: debug.Stack()}
		}
	}()
	return f()
}

// infer runs Forward on whatever samples are ready, up to BatchSize at a
// time, and sends each image's record: its top-k, or what Options.Record
// makes of its output row.
func (p *pipeline) infer(ctx context.Context) {
	b := p.o.BatchSize
	plen := p.inLen
	nl := p.outLen
	var batch, logits []float32 // [B, InputLen] and [B, O], grown to the largest batch seen
	prob := make([]float64, nl) // [O] one row's scores
	order := make([]int, nl)    // [O] class indices by score
	pending := make([]*sample, 0, b)
	seqs := make([]int, b)     // [B] the pending samples' positions,
	paths := make([]string, b) // [B] and names, kept once the samples go back to the pool
	for {
		s, ok := <-p.ready
		if !ok {
			return
		}
		pending = append(pending[:0], s)
	fill:
		for len(pending) < b {
			select {
			case s, ok := <-p.ready:
				if !ok {
					break fill
				}
				pending = append(pending, s)
			default:
				break fill
			}
		}
		n := len(pending)
		if len(batch) < n*plen {
			m := min(b, max(n, 2*len(batch)/plen))
			batch = make([]float32, m*plen)
			logits = make([]float32, m*nl)
		}
		for i, s := range pending {
			copy(batch[i*plen:(i+1)*plen], s.input)
			seqs[i], paths[i] = s.seq, s.path
			p.putSample(s)
		}
		if ctx.Err() != nil {
			for i := range n {
				p.results <- &Result{seq: seqs[i], Path: paths[i], canceled: true}
			}
			continue
		}
		err := guard("forward pass", func() error { return p.m.Forward(batch[:n*plen], n, logits[:n*nl]) })
		for i := range n {
			r := &Result{seq: seqs[i], Path: paths[i]}
			row := logits[i*nl : (i+1)*nl]
			switch {
			case err != nil:
				r.Err = fmt.Errorf("forward: %w", err)
			case p.o.Record != nil:
				r.Err = guard("making the record", func() error { return p.o.Record(r, row) })
			default:
				r.Predictions = topK(row, p.labels, p.o.TopK, p.o.Scores, p.o.MinScore, prob, order)
			}
			p.results <- r
		}
	}
}

// write writes results in input order until the results channel closes.
// It returns the first output error, after which it cancels the run and
// only drains.
func (p *pipeline) write(cancel context.CancelFunc, out RecordWriter) (sum Summary, err error) {
	err = out.Begin()
	pending := make([]*Result, p.window) // reorder window, by seq mod window
	next := 0
	stopped := err != nil
	for r := range p.results {
		pending[r.seq%p.window] = r
		for {
			r := pending[next%p.window]
			if r == nil || r.seq != next {
				break
			}
			pending[next%p.window] = nil
			next++
			<-p.tokens
			if r.canceled {
				stopped = true // write only the unbroken run of finished results
			}
			if r.skip && !stopped && !p.listedDir {
				p.listedDir = true
				p.warn(fmt.Sprintf("%s: is a directory, skipped (--files-from lists files; further directories there are skipped silently)", r.Path))
			}
			if stopped || r.skip {
				continue
			}
			if werr := out.Write(r); werr != nil {
				err, stopped = werr, true
				cancel()
				continue
			}
			sum.Inputs++
			if r.Err != nil {
				sum.Failed++
			}
		}
	}
	if eerr := out.End(); err == nil && eerr != nil {
		err = eerr
	}
	if err != nil {
		err = fmt.Errorf("write results: %w", err)
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return sum, err
}
