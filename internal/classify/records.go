package classify

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
	"unicode"
	"unicode/utf8"

	"github.com/vitgo/vit/internal/preprocess"
)

// Prediction is one of an image's top-k classes.
type Prediction struct {
	Index int     // class index into the model's labels
	Label string  // the model's name for the class
	Score float32 // probability or logit
}

// Result is the outcome for one input: its record.
type Result struct {
	Path        string       // as given, walked or listed; "-" for standard input
	Predictions []Prediction // best first; nil when Err != nil
	Value       any          // what Options.Record made (e.g. an Embedding); nil when Err != nil
	Err         error        // why the input failed; see ErrorText

	seq      int  // position in the input order
	skip     bool // no record (a directory listed by FilesFrom)
	canceled bool // never ran: the run was interrupted
}

// RecordWriter writes results in one output format. Run calls Begin, then
// Write for each record in input order, then End, from one goroutine.
type RecordWriter interface {
	Begin() error
	Write(r *Result) error
	End() error
}

// Formats are the names NewRecordWriter takes.
var Formats = []string{"text", "json", "jsonl", "csv", "tsv"}

// WriterOptions shape a RecordWriter's output.
type WriterOptions struct {
	ErrLog   func(string) // text and npy: gets the error records' lines (nil: dropped)
	Logits   bool         // the scores are logits, not probabilities (text prints them as such)
	NoHeader bool         // csv, tsv: no header line
	Columns  int          // tsv: predictions per line (k, ≥ 1)
}

// NewRecordWriter returns a writer of format (one of Formats; anything
// else is text) on out. Each record is flushed before Write returns, so a
// reader of a pipe sees it at once.
//
//   - text: for people; the path, then a line per prediction with the
//     score (a percentage, or the logit when logits) and the label (a
//     long list of synonyms shortened, see shortLabel). Error records go
//     to the error log, not out.
//   - json: one array, one object per line inside it; jsonl: one object a
//     line. {"path", "predictions": [{"index", "label", "score"}], "error"}.
//   - csv: path,rank,index,label,score,error; a row per prediction, one
//     with the error, or one with the path alone when no prediction is
//     left (MinScore).
//   - tsv: one line per input, path, label, score, then label_N, score_N
//     for the next Columns-1 predictions, then error; fields escaped as
//     text output escapes them, so a tab or newline never splits one.
//
// Scores print as the shortest decimal that reads back to the same
// float32, and as null (json) when not finite.
func NewRecordWriter(format string, out io.Writer, o WriterOptions) RecordWriter {
	bw := bufio.NewWriterSize(out, 32<<10)
	if o.ErrLog == nil {
		o.ErrLog = func(string) {}
	}
	switch format {
	case "json":
		return &jsonWriter{w: bw, array: true}
	case "jsonl":
		return &jsonWriter{w: bw}
	case "csv":
		return &csvWriter{w: bw, c: csv.NewWriter(bw), header: !o.NoHeader}
	case "tsv":
		return &tsvWriter{w: bw, header: !o.NoHeader, cols: max(o.Columns, 1)}
	default:
		return &textWriter{w: bw, errlog: o.ErrLog, logits: o.Logits}
	}
}

// BudgetFlag is the option that raises the memory budget of one image,
// named at the end of an over-budget record.
const BudgetFlag = "--max-image-memory"

// ErrorText is the message of an input's error record: the cause without
// the path, which the record carries already, on one line.
func ErrorText(path string, err error) string {
	var de *preprocess.DecodeError
	if errors.As(err, &de) {
		msg := de.Kind.Error()
		if de.Format != "" {
			msg = de.Format + ": " + msg
		}
		if de.Err != nil {
			msg += ": " + de.Err.Error()
		}
		if errors.Is(de.Kind, preprocess.ErrOverBudget) {
			msg += "; raise " + BudgetFlag
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

// Score is a float32 that prints as the shortest decimal that reads back
// to the same float32, and as null when it is not finite.
type Score float32

func (s Score) MarshalJSON() ([]byte, error) {
	f := float64(s)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 32), nil
}

func (s Score) String() string { return strconv.FormatFloat(float64(s), 'g', -1, 32) }

// JSONPrediction is one prediction of a JSONRecord.
type JSONPrediction struct {
	Index int    `json:"index"`
	Label string `json:"label"`
	Score Score  `json:"score"`
}

// JSONRecord is the object of the json and jsonl formats.
type JSONRecord struct {
	Path string `json:"path"`
	// PathBytes is the path's raw bytes (base64 in JSON), only when the
	// path is not valid UTF-8: JSON strings then replace the invalid
	// bytes with U+FFFD, and two such paths could read the same.
	PathBytes   []byte           `json:"path_bytes,omitempty"`
	Predictions []JSONPrediction `json:"predictions,omitempty"` // [] (not left out) when --min-score left none
	Embedding   []Score          `json:"embedding,omitempty"`   // an embedding run's vector
	Error       string           `json:"error,omitempty"`
}

// MarshalJSON writes the fields in the order above, leaving out the empty
// ones, except that a classification record without an error always has
// its predictions, [] when none are left, and without HTML escapes.
func (r JSONRecord) MarshalJSON() ([]byte, error) {
	type wire struct {
		Path        string            `json:"path"`
		PathBytes   []byte            `json:"path_bytes,omitempty"`
		Predictions *[]JSONPrediction `json:"predictions,omitempty"`
		Embedding   []Score           `json:"embedding,omitempty"`
		Error       string            `json:"error,omitempty"`
	}
	w := wire{Path: r.Path, PathBytes: r.PathBytes, Embedding: r.Embedding, Error: r.Error}
	if r.Predictions != nil || (r.Error == "" && r.Embedding == nil) {
		p := r.Predictions
		if p == nil {
			p = []JSONPrediction{}
		}
		w.Predictions = &p
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func toJSONRecord(r *Result) JSONRecord {
	rec := JSONRecord{Path: r.Path}
	if !utf8.ValidString(r.Path) {
		rec.PathBytes = []byte(r.Path)
	}
	if r.Err != nil {
		rec.Error = ErrorText(r.Path, r.Err)
		return rec
	}
	if e, ok := r.Value.(Embedding); ok {
		rec.Embedding = make([]Score, len(e))
		for i, v := range e {
			rec.Embedding[i] = Score(v)
		}
		return rec
	}
	rec.Predictions = make([]JSONPrediction, len(r.Predictions))
	for i, p := range r.Predictions {
		rec.Predictions[i] = JSONPrediction{Index: p.Index, Label: p.Label, Score: Score(p.Score)}
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

func (j *jsonWriter) Write(r *Result) error {
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
// prediction, one row with the error, or one with the path alone.
type csvWriter struct {
	w      *bufio.Writer
	c      *csv.Writer
	header bool
}

// CSVHeader is the csv format's header row.
var CSVHeader = []string{"path", "rank", "index", "label", "score", "error"}

func (c *csvWriter) Begin() error {
	if c.header {
		c.c.Write(CSVHeader)
	}
	return c.flush()
}

func (c *csvWriter) Write(r *Result) error {
	switch {
	case r.Err != nil:
		c.c.Write([]string{r.Path, "", "", "", "", ErrorText(r.Path, r.Err)})
	case len(r.Predictions) == 0:
		c.c.Write([]string{r.Path, "", "", "", "", ""})
	}
	for i, p := range r.Predictions {
		c.c.Write([]string{r.Path, strconv.Itoa(i + 1), strconv.Itoa(p.Index), p.Label, Score(p.Score).String(), ""})
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

// tsvWriter writes one line per input: path, then label and score of each
// of cols predictions (empty when fewer are left), then the error.
type tsvWriter struct {
	w      *bufio.Writer
	header bool
	cols   int
}

// TSVHeader is the tsv format's header line for k predictions per line:
// path label score label_2 score_2 … label_k score_k error.
func TSVHeader(k int) []string {
	h := []string{"path", "label", "score"}
	for i := 2; i <= k; i++ {
		h = append(h, "label_"+strconv.Itoa(i), "score_"+strconv.Itoa(i))
	}
	return append(h, "error")
}

func (t *tsvWriter) Begin() error {
	if t.header {
		t.w.WriteString(strings.Join(TSVHeader(t.cols), "\t"))
		t.w.WriteString("\n")
	}
	return t.w.Flush()
}

func (t *tsvWriter) Write(r *Result) error {
	t.w.WriteString(EscapeText(r.Path))
	for i := range t.cols {
		t.w.WriteString("\t")
		if i < len(r.Predictions) {
			p := r.Predictions[i]
			t.w.WriteString(EscapeText(p.Label))
			t.w.WriteString("\t")
			t.w.WriteString(Score(p.Score).String())
		} else {
			t.w.WriteString("\t")
		}
	}
	t.w.WriteString("\t")
	if r.Err != nil {
		t.w.WriteString(EscapeText(ErrorText(r.Path, r.Err)))
	}
	t.w.WriteString("\n")
	return t.w.Flush()
}

func (t *tsvWriter) End() error { return t.w.Flush() }

// textWriter is for people: the path, then one indented line per
// prediction with the score (a percentage, or the logit) and the label.
// Errors go to the error log (stderr), not to the results. No line ends
// in spaces.
type textWriter struct {
	w      *bufio.Writer
	errlog func(string)
	logits bool
}

func (t *textWriter) Begin() error { return nil }

func (t *textWriter) Write(r *Result) error {
	if r.Err != nil {
		t.errlog(fmt.Sprintf("%s: %s", EscapeText(r.Path), EscapeText(ErrorText(r.Path, r.Err))))
		return nil
	}
	t.w.WriteString(EscapeText(r.Path))
	t.w.WriteString("\n")
	for _, p := range r.Predictions {
		var line string
		if t.logits {
			line = fmt.Sprintf("  %9.4f  %s", p.Score, EscapeText(shortLabel(p.Label)))
		} else {
			line = fmt.Sprintf("  %6.2f%%  %s", 100*p.Score, EscapeText(shortLabel(p.Label)))
		}
		t.w.WriteString(strings.TrimRight(line, " \t"))
		t.w.WriteString("\n")
	}
	return t.w.Flush()
}

func (t *textWriter) End() error { return t.w.Flush() }

// maxTextLabel is the length in characters past which text output
// shortens a label.
const maxTextLabel = 48

// shortLabel shortens, for text output, a label that is a long list of
// synonyms (ImageNet's "great white shark, white shark, man-eater,
// man-eating shark, Carcharodon carcharias") to the synonyms that fit in
// maxTextLabel characters and "…"; the first synonym is always kept
// whole. Other formats keep the label as it is.
func shortLabel(label string) string {
	label = strings.TrimSpace(label)
	if utf8.RuneCountInString(label) <= maxTextLabel {
		return label
	}
	names := strings.Split(label, ", ")
	out := names[0]
	for _, n := range names[1:] {
		if utf8.RuneCountInString(out)+2+utf8.RuneCountInString(n)+3 > maxTextLabel {
			break
		}
		out += ", " + n
	}
	if out == label {
		return label
	}
	return out + ", …"
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// EscapeText makes s safe to print as one line of text output: control
// characters (newlines, carriage returns, terminal escapes) become \n,
// \r, \t or \xNN / \u{N}, bytes that are not UTF-8 become \xNN, and a
// backslash becomes \\ so the escapes read back unambiguously. A crafted
// file name or label can then not forge result lines or drive the
// terminal. Anything else is kept as is.
func EscapeText(s string) string {
	clean := true
	for _, r := range s {
		if r == '\\' || r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "\\u{%x}", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
