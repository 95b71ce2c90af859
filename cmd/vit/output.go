package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/vitgo/vit/internal/preprocess"
)

// prediction is one of an image's top-k classes.
type prediction struct {
	Index int     // class index into the model's labels
	Label string  // the model's name for the class
	Score float32 // probability or logit
}

// result is the outcome for one input.
type result struct {
	seq      int
	path     string
	preds    []prediction // best first; nil when err != nil
	err      error
	skip     bool // print nothing (a directory listed by --files-from)
	canceled bool // never ran: the run was interrupted
}

// recordWriter prints results in one output format. Write is called in
// input order; each record is flushed before Write returns, so a reader of
// a pipe sees it at once.
type recordWriter interface {
	Begin() error
	Write(r *result) error
	End() error
}

func newRecordWriter(format string, out io.Writer, errlog func(string), logits bool) recordWriter {
	bw := bufio.NewWriterSize(out, 32<<10)
	switch format {
	case "json":
		return &jsonWriter{w: bw, array: true}
	case "jsonl":
		return &jsonWriter{w: bw}
	case "csv":
		return &csvWriter{w: bw, c: csv.NewWriter(bw)}
	default:
		return &textWriter{w: bw, errlog: errlog, logits: logits}
	}
}

// errorText is the message of an input's error record: the cause without
// the path, which the record carries already.
func errorText(path string, err error) string {
	var de *preprocess.DecodeError
	if errors.As(err, &de) {
		msg := de.Kind.Error()
		if de.Format != "" {
			msg = de.Format + ": " + msg
		}
		if de.Err != nil {
			msg += ": " + de.Err.Error()
		}
		return oneLine(msg)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return pe.Op + ": " + pe.Err.Error()
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, path+": "); ok && rest != "" {
		msg = rest
	}
	return oneLine(msg)
}

// score is a float32 that prints as the shortest decimal that reads back
// to the same float32, and as null when it is not finite.
type score float32

func (s score) MarshalJSON() ([]byte, error) {
	f := float64(s)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 32), nil
}

func (s score) String() string { return strconv.FormatFloat(float64(s), 'g', -1, 32) }

type jsonPrediction struct {
	Index int    `json:"index"`
	Label string `json:"label"`
	Score score  `json:"score"`
}

// jsonRecord is the object of the json and jsonl formats.
type jsonRecord struct {
	Path        string           `json:"path"`
	Predictions []jsonPrediction `json:"predictions,omitempty"`
	Error       string           `json:"error,omitempty"`
}

func toJSONRecord(r *result) jsonRecord {
	rec := jsonRecord{Path: r.path}
	if r.err != nil {
		rec.Error = errorText(r.path, r.err)
		return rec
	}
	rec.Predictions = make([]jsonPrediction, len(r.preds))
	for i, p := range r.preds {
		rec.Predictions[i] = jsonPrediction{Index: p.Index, Label: p.Label, Score: score(p.Score)}
	}
	return rec
}

// jsonWriter writes json (one array, one object per line inside it) or
// jsonl (one object per line).
type jsonWriter struct {
	w     *bufio.Writer
	array bool
	n     int
	buf   bytes.Buffer
}

func (j *jsonWriter) Begin() error {
	if j.array {
		j.w.WriteString("[")
		return j.w.Flush()
	}
	return nil
}

func (j *jsonWriter) Write(r *result) error {
	j.buf.Reset()
	enc := json.NewEncoder(&j.buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSONRecord(r)); err != nil {
		return err
	}
	if j.array {
		if j.n > 0 {
			j.w.WriteString(",")
		}
		j.w.WriteString("\n")
		j.w.Write(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n")))
	} else {
		j.w.Write(j.buf.Bytes())
	}
	j.n++
	return j.w.Flush()
}

func (j *jsonWriter) End() error {
	if j.array {
		if j.n > 0 {
			j.w.WriteString("\n")
		}
		j.w.WriteString("]\n")
	}
	return j.w.Flush()
}

// csvWriter writes path,rank,index,label,score,error: one row per
// prediction, or one row with the error.
type csvWriter struct {
	w *bufio.Writer
	c *csv.Writer
}

func (c *csvWriter) Begin() error {
	c.c.Write([]string{"path", "rank", "index", "label", "score", "error"})
	return c.flush()
}

func (c *csvWriter) Write(r *result) error {
	if r.err != nil {
		c.c.Write([]string{r.path, "", "", "", "", errorText(r.path, r.err)})
		return c.flush()
	}
	for i, p := range r.preds {
		c.c.Write([]string{r.path, strconv.Itoa(i + 1), strconv.Itoa(p.Index), p.Label, score(p.Score).String(), ""})
	}
	return c.flush()
}

func (c *csvWriter) End() error { return c.flush() }

func (c *csvWriter) flush() error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	return c.w.Flush()
}

// textWriter is for people: the path, then one indented line per
// prediction with the score (a percentage, or the logit) and the label.
// Errors go to the error log (stderr), not to the results.
type textWriter struct {
	w      *bufio.Writer
	errlog func(string)
	logits bool
}

func (t *textWriter) Begin() error { return nil }

func (t *textWriter) Write(r *result) error {
	if r.err != nil {
		t.errlog(fmt.Sprintf("%s: %s", r.path, errorText(r.path, r.err)))
		return nil
	}
	t.w.WriteString(r.path)
	t.w.WriteString("\n")
	for _, p := range r.preds {
		if t.logits {
			fmt.Fprintf(t.w, "  %9.4f  %s\n", p.Score, p.Label)
		} else {
			fmt.Fprintf(t.w, "  %6.2f%%  %s\n", 100*p.Score, p.Label)
		}
	}
	return t.w.Flush()
}

func (t *textWriter) End() error { return t.w.Flush() }
