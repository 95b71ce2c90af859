package main

import (
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// console serializes what goes to stderr (warnings, text-mode errors) with
// the progress bar, clearing the bar before a message so lines never mix.
type console struct {
	mu   sync.Mutex
	w    io.Writer
	prog *progress // may be nil
}

func (c *console) println(msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := "vit: " + msg + "\n"
	if c.prog != nil {
		c.prog.printAbove(c.w, line)
		return
	}
	io.WriteString(c.w, line)
}

// progress is the progress bar of a run (classify, embed) on stderr. The walk that feeds the
// pipeline runs only a bounded window ahead of the results, so the total
// comes from a separate counting walk (or the end of the real one); until
// it is known the bar shows the count and the rate only.
type progress struct {
	name      string // the command, the bar's description
	enabled   bool   // the user asked for it (always) or stderr is a terminal (auto)
	minInputs int    // show the bar only once this many inputs are found
	w         io.Writer
	found     atomic.Int64 // inputs found by the pipeline's walk
	total     atomic.Int64 // all inputs; -1 while unknown

	mu  sync.Mutex
	bar *progressbar.ProgressBar
	max int64 // the bar's current maximum
}

// progressModes are the values of --progress.
var progressModes = []string{"auto", "always", "never"}

func newProgress(name, mode string, tty bool, w io.Writer) *progress {
	p := &progress{name: name, w: w, minInputs: 2}
	p.total.Store(-1)
	switch mode {
	case "always":
		p.enabled, p.minInputs = true, 1
	case "auto":
		p.enabled = tty
	}
	return p
}

// setTotal records the number of inputs, once known.
func (p *progress) setTotal(n int64) { p.total.CompareAndSwap(-1, n) }

// step records one finished input.
func (p *progress) step() {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		if p.found.Load() < int64(p.minInputs) {
			return
		}
		p.max = p.total.Load()
		p.bar = progressbar.NewOptions64(p.max,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(p.name),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("img"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionUseANSICodes(true),
		)
	}
	if t := p.total.Load(); t >= 0 && t != p.max {
		p.bar.ChangeMax64(t)
		p.max = t
	}
	p.bar.Add(1)
}

func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
}

// printAbove clears the bar, if shown, and writes line to w; the bar is
// drawn again at the next step.
func (p *progress) printAbove(w io.Writer, line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	io.WriteString(w, line)
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
	}
}
