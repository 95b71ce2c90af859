package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// console serializes what goes to stderr (warnings, text-mode errors) with
// the progress line, clearing the line before a message so lines never
// mix.
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

// progress reports a run's progress on stderr: on a terminal one line
// redrawn in place, elsewhere (--progress always into a log) plain lines:
// at the first record, every interval, and at the end. Both read "classify: 1200/50000 images, 24.1 img/s, ETA
// 33m", or "classify: 1200 images, …" while the total is unknown. The
// walk that feeds the pipeline runs only a bounded window ahead of the
// results, so the total comes from a separate counting walk (or the end of
// the real one).
type progress struct {
	name      string // the command: the line's first word
	enabled   bool   // the user asked for it (always) or stderr is a terminal (auto)
	tty       bool   // redraw in place; else plain lines
	minInputs int    // show progress only once this many inputs are found
	interval  time.Duration
	w         io.Writer
	now       func() time.Time
	found     atomic.Int64 // inputs found by the pipeline's walk
	total     atomic.Int64 // all inputs; -1 while unknown

	mu    sync.Mutex
	start time.Time // when the run began
	last  time.Time // the last line drawn or printed
	done  int64     // records written
	shown bool      // a line is drawn on the terminal
	said  int64     // plain lines: the count in the last line printed (-1: none yet)
}

// progressModes are the values of --progress.
var progressModes = []string{"auto", "always", "never"}

// Progress timing: a terminal line is redrawn at most every ttyRedraw; a
// plain line is printed every logInterval. No rate is shown before
// minRateTime has passed, so the first frame never shows one image over a
// few microseconds as a million images per second.
const (
	ttyRedraw   = 100 * time.Millisecond
	logInterval = 5 * time.Second
	minRateTime = time.Second
)

func newProgress(name, mode string, tty bool, w io.Writer) *progress {
	p := &progress{name: name, w: w, tty: tty, minInputs: 2, interval: logInterval, now: time.Now}
	p.total.Store(-1)
	switch mode {
	case "always":
		p.enabled, p.minInputs = true, 1
	case "auto":
		p.enabled = tty
	}
	p.start = p.now()
	p.last = p.start
	p.said = -1
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
	p.done++
	if p.found.Load() < int64(p.minInputs) {
		return
	}
	t := p.now()
	switch {
	case p.tty && (!p.shown || t.Sub(p.last) >= ttyRedraw):
		io.WriteString(p.w, "\r\x1b[2K"+p.line(t))
		p.shown = true
	case !p.tty && (p.said < 0 || t.Sub(p.last) >= p.interval):
		io.WriteString(p.w, p.line(t)+"\n")
		p.said = p.done
	default:
		return
	}
	p.last = t
}

// line is the progress at time t.
func (p *progress) line(t time.Time) string {
	total := p.total.Load()
	s := fmt.Sprintf("%s: %d images", p.name, p.done)
	if total >= 0 {
		s = fmt.Sprintf("%s: %d/%d images", p.name, p.done, total)
	}
	el := t.Sub(p.start)
	if el < minRateTime || p.done == 0 {
		return s
	}
	rate := float64(p.done) / el.Seconds()
	s += fmt.Sprintf(", %.1f img/s", rate)
	if total >= p.done {
		s += ", ETA " + shortDuration(time.Duration(float64(total-p.done)/rate*float64(time.Second)))
	}
	return s
}

// shortDuration prints d as "45s", "12m", "2h05m".
func shortDuration(d time.Duration) string {
	switch s := int64(d.Round(time.Second) / time.Second); {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm", (s+30)/60)
	default:
		m := (s + 30) / 60
		return fmt.Sprintf("%dh%02dm", m/60, m%60)
	}
}

// clear removes the terminal line, if drawn; the next step draws it again.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progress) clearLocked() {
	if p.shown {
		io.WriteString(p.w, "\r\x1b[2K")
		p.shown = false
	}
}

// printAbove clears the terminal line, if drawn, and writes line to w.
func (p *progress) printAbove(w io.Writer, line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	io.WriteString(w, line)
}

// finish removes the terminal line at the end of the run, or prints the
// last plain line when records came since the previous one.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	if !p.tty && p.said >= 0 && p.done > p.said {
		io.WriteString(p.w, p.line(p.now())+"\n")
		p.said = p.done
	}
}
