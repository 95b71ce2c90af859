package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vitgo/vit/internal/preprocess"
)

// The classify pipeline, bounded at every stage so memory stays flat
// whatever the number of inputs:
//
//	walker ──jobs──▶ decode workers ──ready──▶ inference ──results──▶ ordered writer
//	   (streams paths)   (Threads of them:        (one goroutine: Forward   (input order,
//	                      decode, preprocess       on up to BatchSize        reorder window
//	                      into a pooled sample)    images at a time)         of `window`)
//
// The walker takes a token from `tokens` (capacity `window`) for each input
// and the writer returns it once that input's record is written, so at most
// `window` inputs are anywhere in the pipeline. Failed inputs go straight
// from the workers to the writer. Inference takes whatever samples are
// ready, up to BatchSize, and runs at once rather than wait for a full
// batch, so decoding overlaps inference and a stall or the end of the input
// never holds back a partial batch.

// job is one input with its position in the output.
type job struct {
	seq int
	input
}

// sample is one decoded image's pixels, pooled and reused.
type sample struct {
	seq  int
	path string
	pix  []float32 // [C, H, W]
}

type pipeline struct {
	clf    classifier
	o      classifyOptions
	a      *app
	con    *console
	prog   *progress
	imgLen int      // values of one image [C, H, W]
	labels []string // [L]
	window int

	tokens  chan struct{}
	jobs    chan job
	ready   chan *sample
	results chan *result

	free      chan *sample // the sample pool
	allocated atomic.Int32 // samples made so far (≤ cap(free))
}

func (a *app) runPipeline(ctx context.Context, clf classifier, o classifyOptions) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	workers := max(o.Threads, 1)
	b := o.BatchSize
	p := &pipeline{
		clf:    clf,
		o:      o,
		a:      a,
		imgLen: imageLen(clf),
		labels: clf.Labels(),
		window: 4*b + 2*workers + 16,
	}
	p.prog = newProgress(o.Progress, a.stderrTTY, a.stderr)
	p.con = &console{w: a.stderr, prog: p.prog}
	p.tokens = make(chan struct{}, p.window)
	p.jobs = make(chan job, workers)
	p.ready = make(chan *sample, 2*b)
	p.results = make(chan *result, p.window)
	p.free = make(chan *sample, 2*b+workers)

	// Walker.
	var walkErr error
	walkDone := make(chan struct{})
	go func() {
		defer close(walkDone)
		defer close(p.jobs)
		defer func() { p.prog.setTotal(p.prog.found.Load()) }()
		src := &source{
			args:      o.Inputs,
			filesFrom: o.FilesFrom,
			null:      o.Null,
			stdin:     a.stdin,
			shard:     o.Shard,
			warn:      p.con.println,
		}
		seq := 0
		walkErr = src.run(func(in input) bool {
			select {
			case p.tokens <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			p.prog.found.Add(1)
			p.jobs <- job{seq: seq, input: in}
			seq++
			return true
		})
	}()

	// The progress bar's total, counted by a walk of its own that is not
	// held back by the pipeline (a list on standard input can be read once).
	// It stops early once the pipeline's walk has ended and set the total.
	if p.prog.enabled && o.FilesFrom != "-" {
		go func() {
			var n int64
			src := &source{args: o.Inputs, filesFrom: o.FilesFrom, null: o.Null, shard: o.Shard, warn: func(string) {}}
			err := src.run(func(input) bool {
				n++
				return ctx.Err() == nil && p.prog.total.Load() < 0
			})
			if err == nil && ctx.Err() == nil {
				p.prog.setTotal(n)
			}
		}()
	}

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

	failed, writeErr := p.write(cancel)
	<-walkDone
	if p.prog.found.Load() == 0 && walkErr == nil && ctx.Err() == nil {
		msg := "no images found (directories are searched for " + imageExtList + ")"
		if o.Shard.Count > 1 {
			msg = "no inputs fall in shard " + o.Shard.String()
		}
		p.con.println(msg)
	}
	switch {
	case writeErr != nil:
		return writeErr
	case walkErr != nil:
		return walkErr
	case ctx.Err() != nil:
		return ctx.Err()
	case failed:
		return errInputsFailed
	}
	return nil
}

// imageLen is the number of values of one of clf's input images [C, H, W].
func imageLen(clf classifier) int {
	c, h, w := clf.InputShape()
	return c * h * w
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
		return &sample{pix: make([]float32, p.imgLen)}
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
	lim := preprocess.Limits{MaxPixels: p.o.MaxPixels}
	for j := range p.jobs {
		r := &result{seq: j.seq, path: j.path}
		if ctx.Err() != nil {
			r.canceled = true
			p.results <- r
			continue
		}
		if j.kind == inFailed {
			r.err = j.err
			p.results <- r
			continue
		}
		s := p.getSample(ctx)
		if s == nil {
			r.canceled = true
			p.results <- r
			continue
		}
		skip, err := p.prepare(j.input, lim, s.pix)
		if skip || err != nil {
			p.putSample(s)
			r.err, r.skip = err, skip
			p.results <- r
			continue
		}
		s.seq, s.path = j.seq, j.path
		p.ready <- s
	}
}

// prepare opens one input and runs the model's preprocessing on it. skip
// is true for a directory listed by --files-from.
func (p *pipeline) prepare(in input, lim preprocess.Limits, pix []float32) (skip bool, err error) {
	var r io.Reader
	switch in.kind {
	case inStdin:
		r = p.a.stdin
	default:
		f, err := os.Open(in.path)
		if err != nil {
			return false, err
		}
		defer f.Close()
		if in.kind == inListed {
			if fi, err := f.Stat(); err == nil && fi.IsDir() {
				p.con.println(fmt.Sprintf("%s: is a directory, skipped (--files-from lists files)", in.path))
				return true, nil
			}
		}
		r = f
	}
	return false, p.clf.Prepare(in.path, r, lim, pix)
}

// infer runs Forward on whatever samples are ready, up to BatchSize at a
// time, and sends each image's top-k.
func (p *pipeline) infer(ctx context.Context) {
	b := p.o.BatchSize
	plen := p.imgLen
	nl := len(p.labels)
	var batch, logits []float32 // [B, C, H, W] and [B, L], grown to the largest batch seen
	prob := make([]float64, nl) // [L] one row's scores
	order := make([]int, nl)    // [L] class indices by score
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
			copy(batch[i*plen:(i+1)*plen], s.pix)
			seqs[i], paths[i] = s.seq, s.path
			p.putSample(s)
		}
		if ctx.Err() != nil {
			for i := range n {
				p.results <- &result{seq: seqs[i], path: paths[i], canceled: true}
			}
			continue
		}
		err := p.clf.Forward(batch[:n*plen], n, logits[:n*nl])
		for i := range n {
			r := &result{seq: seqs[i], path: paths[i]}
			if err != nil {
				r.err = fmt.Errorf("forward: %w", err)
			} else {
				r.preds = topK(logits[i*nl:(i+1)*nl], p.labels, p.o.TopK, !p.o.Logits, prob, order)
			}
			p.results <- r
		}
	}
}

// topK returns the k best classes of one row of logits [L] (all when k is 0
// or more than L), best first, ties by lower index. With softmax the scores
// are probabilities (computed in float64). prob and order are [L] scratch.
func topK(logits []float32, labels []string, k int, softmax bool, prob []float64, order []int) []prediction {
	nl := len(logits)
	if k <= 0 || k > nl {
		k = nl
	}
	for i, v := range logits {
		prob[i] = float64(v)
		order[i] = i
	}
	if softmax {
		m := math.Inf(-1)
		for _, v := range prob {
			m = max(m, v)
		}
		var sum float64
		for i, v := range prob {
			prob[i] = math.Exp(v - m)
			sum += prob[i]
		}
		for i := range prob {
			prob[i] /= sum
		}
	}
	// Descending, NaN last (cmp.Compare orders NaN first); stable keeps ties
	// by lower index. Unlike sort.SliceStable it allocates nothing per image.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(prob[b], prob[a]) })
	preds := make([]prediction, k)
	for r := range k {
		i := order[r]
		label := ""
		if i < len(labels) {
			label = labels[i]
		}
		preds[r] = prediction{Index: i, Label: label, Score: float32(prob[i])}
	}
	return preds
}

// write prints results in input order until the results channel closes.
// It reports whether any input failed, and the first output error (after
// which it cancels the run and only drains).
func (p *pipeline) write(cancel context.CancelFunc) (failed bool, err error) {
	out := newRecordWriter(p.o.Format, p.a.stdout, p.con.println, p.o.Logits)
	err = out.Begin()
	pending := make([]*result, p.window) // reorder window, by seq mod window
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
				stopped = true // print only the unbroken run of finished results
			}
			if stopped || r.skip {
				continue
			}
			if r.err != nil {
				failed = true
			}
			if p.a.stdoutTTY {
				p.prog.clear()
			}
			if werr := out.Write(r); werr != nil {
				err, stopped = werr, true
				cancel()
				continue
			}
			p.prog.step()
		}
	}
	p.prog.finish()
	if eerr := out.End(); err == nil && eerr != nil {
		err = eerr
	}
	if err != nil {
		err = fmt.Errorf("write results: %w", err)
	}
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return failed, err
}
