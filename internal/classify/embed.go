package classify

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Embedding is one image's vector [D], the Value of an embedding run's
// records.
type Embedding []float32

// EmbedRecord is the Options.Record of an embedding run (a model from
// NewEmbedder): each image's output row [D] becomes its Embedding, scaled
// to unit L2 norm when normalize (the sum of squares in float64; a zero
// vector stays zero, a vector with a NaN or an infinity is an error).
func EmbedRecord(normalize bool) func(r *Result, out []float32) error {
	return func(r *Result, out []float32) error {
		e := make(Embedding, len(out))
		copy(e, out)
		var ss float64
		for _, v := range e {
			ss += float64(v) * float64(v)
		}
		if math.IsNaN(ss) || math.IsInf(ss, 0) {
			return errors.New("embedding is not finite")
		}
		if normalize && ss > 0 {
			s := 1 / math.Sqrt(ss)
			for i, v := range e {
				e[i] = float32(float64(v) * s)
			}
		}
		r.Value = e
		return nil
	}
}

// NPYWriter writes an embedding run's vectors as one NumPy .npy file, a
// float32 matrix [N, D] (little-endian, C order) whose row i is the i-th
// image that succeeded, in input order, and names that image on line i of
// paths (escaped as text output escapes paths, so one path is one line).
// Failed inputs have no row; their error goes to errlog. numpy reads the
// matrix with np.load alone.
//
// The header, which holds N, is written with room for any N at Begin and
// rewritten at End, so out must be a file it can seek in.
type NPYWriter struct {
	out    io.WriteSeeker
	w      *bufio.Writer
	paths  *bufio.Writer
	errlog func(string)
	d      int   // row width; fixed by the first row
	n      int64 // rows written
}

// NewNPYWriter returns a writer of the .npy matrix to out and the paths
// list to paths; errlog gets failed inputs' "path: error" lines (nil:
// dropped).
func NewNPYWriter(out io.WriteSeeker, paths io.Writer, errlog func(string)) *NPYWriter {
	if errlog == nil {
		errlog = func(string) {}
	}
	return &NPYWriter{out: out, w: bufio.NewWriterSize(out, 64<<10), paths: bufio.NewWriter(paths), errlog: errlog}
}

// npyHeaderLen is the size of the header NPYWriter writes: magic, version,
// length and the dict padded with spaces, a multiple of 64 as the format
// asks, and room for shapes up to 20 digits a side.
const npyHeaderLen = 128

// npyHeader is the .npy (version 1.0) header of an n×d float32 matrix.
func npyHeader(n int64, d int) []byte {
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", n, d)
	h := make([]byte, 0, npyHeaderLen)
	h = append(h, "\x93NUMPY\x01\x00"...)
	h = binary.LittleEndian.AppendUint16(h, npyHeaderLen-10)
	h = append(h, dict...)
	h = append(h, strings.Repeat(" ", npyHeaderLen-1-len(h))...)
	return append(h, '\n')
}

func (w *NPYWriter) Begin() error {
	_, err := w.w.Write(npyHeader(0, 0))
	return err
}

func (w *NPYWriter) Write(r *Result) error {
	if r.Err != nil {
		w.errlog(fmt.Sprintf("%s: %s", EscapeText(r.Path), EscapeText(ErrorText(r.Path, r.Err))))
		return nil
	}
	e, ok := r.Value.(Embedding)
	if !ok {
		return fmt.Errorf("npy: %s: record has no embedding", r.Path)
	}
	if w.n == 0 {
		w.d = len(e)
	} else if len(e) != w.d {
		return fmt.Errorf("npy: %s: embedding of %d values, want %d", r.Path, len(e), w.d)
	}
	var b [4]byte
	for _, v := range e {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		w.w.Write(b[:])
	}
	w.n++
	w.paths.WriteString(EscapeText(r.Path))
	w.paths.WriteString("\n")
	if err := w.paths.Flush(); err != nil {
		return err
	}
	return w.w.Flush()
}

// End writes the header with the final shape.
func (w *NPYWriter) End() error {
	if err := w.w.Flush(); err != nil {
		return err
	}
	if err := w.paths.Flush(); err != nil {
		return err
	}
	if _, err := w.out.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := w.out.Write(npyHeader(w.n, w.d)); err != nil {
		return err
	}
	_, err := w.out.Seek(0, io.SeekEnd)
	return err
}
