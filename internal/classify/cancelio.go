package classify

import (
	"context"
	"io"
	"os"
)

// ctxReader makes reads from a source that may block forever (standard
// input, a FIFO, a terminal) return ctx's error once ctx is done, so an
// interrupt is never held up by a silent writer. Each Read runs in a
// goroutine of its own into a private buffer [len(p)], so an abandoned
// read never writes into the caller's p; after ctx ends the reader is
// left blocked (the process is about to exit) and not read from again.
type ctxReader struct {
	ctx  context.Context
	r    io.Reader
	buf  []byte          // [max len(p) asked]: the pending read's buffer
	done chan readResult // the pending read's outcome, capacity 1
	busy bool            // a read is outstanding (only after ctx ended)
}

type readResult struct {
	n   int
	err error
}

// newCtxReader wraps r; with ctx nil it returns r.
func newCtxReader(ctx context.Context, r io.Reader) io.Reader {
	if ctx == nil {
		return r
	}
	return &ctxReader{ctx: ctx, r: r, done: make(chan readResult, 1)}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil || c.busy {
		return 0, c.ctx.Err()
	}
	if len(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	buf := c.buf[:len(p)]
	go func() {
		n, err := c.r.Read(buf)
		c.done <- readResult{n, err}
	}()
	select {
	case res := <-c.done:
		copy(p, buf[:res.n])
		return res.n, res.err
	case <-c.ctx.Done():
		c.busy = true
		return 0, c.ctx.Err()
	}
}

// openCtx opens name for reading, giving up when ctx ends first: opening
// a FIFO blocks until a writer opens it. A file opened after that is
// closed at once.
func openCtx(ctx context.Context, name string) (*os.File, error) {
	if ctx == nil {
		return os.Open(name)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(name)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// mayBlock reports whether reads of f may wait on another process: it is
// not a regular file.
func mayBlock(f *os.File) bool {
	fi, err := f.Stat()
	return err != nil || !fi.Mode().IsRegular()
}
