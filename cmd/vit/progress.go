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
	if c.prog != nil {
		c.prog.clear()
	}
	io.WriteString(c.w, "vit: "+msg+"\n")
}

// progress is the classify progress bar on stderr. Its total is the number
// of inputs found so far, which grows while directories are walked.
type progress struct {
	enabled   bool // the user asked for it (always) or stderr is a terminal (auto)
	minInputs int  // show the bar only once this many inputs are found
	w         io.Writer
	found     atomic.Int64 // inputs found by the walk
	walked    atomic.Bool  // the walk is over: found is the total

	mu  sync.Mutex
	bar *progressbar.ProgressBar
	max int64
}

func newProgress(mode string, tty bool, w io.Writer) *progress {
	p := &progress{w: w, minInputs: 2}
	switch mode {
	case "always":
		p.enabled, p.minInputs = true, 1
	case "auto":
		p.enabled = tty
	}
	return p
}

// step records one finished input.
func (p *progress) step() {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	found := p.found.Load()
	if p.bar == nil && found < int64(p.minInputs) {
		return
	}
	n := found
	if !p.walked.Load() {
		n++ // more may come: never reach 100% (and finish) before the walk ends
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(n,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("classify"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("img"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionUseANSICodes(true),
		)
		p.max = n
	}
	if n != p.max {
		p.bar.ChangeMax64(n)
		p.max = n
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
