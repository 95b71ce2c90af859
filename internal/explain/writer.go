package explain

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"github.com/vitgo/vit/internal/classify"
)

// WriterOptions configure where an explain run's pictures go.
type WriterOptions struct {
	Dir   string // output directory, made when missing
	Ext   string // "png" (default), "jpg" or "jpeg": the overlays' format
	Sheet string // when set, the contact sheet's file (format by its extension)
	// SheetMax caps the images on the sheet (the first ones in input
	// order); < 1: DefaultSheetMax. The thumbnails are held until End.
	SheetMax int
}

// DefaultSheetMax is the contact sheet's default limit.
const DefaultSheetMax = 400

// sheetTile is a contact sheet cell's longest image side in pixels.
const sheetTile = 160

// Writer is the classify.RecordWriter of an explain run: for each record,
// in input order, it writes the image's overlay to a new file in the
// output directory and then the record in the run's format:
//
//   - text: "PATH -> FILE", then a line per prediction (as classify's).
//     Error records go to errlog.
//   - json, jsonl: {"path", "output", "predictions", "grid": [gh, gw],
//     "relevance": [gh·gw floats, row-major], "error"}.
//
// The file name is the input's base name without its extension ("stdin"
// for "-"), then the extension of the format; an existing file is never
// replaced (inputs included), nor a name this run has used: "-2", "-3", …
// go before the extension until the name is free. A write error ends the
// run.
type Writer struct {
	o      WriterOptions
	format string
	out    *bufio.Writer
	errlog func(string)
	n      int              // records written
	used   map[string]bool  // names taken by this run
	tiles  []image.Image    // contact sheet cells
	skip   int              // images left off the sheet
	warn   func(msg string) // for the sheet's cap
}

// NewWriter returns the writer of format ("text", "json" or "jsonl") on
// out. warn receives one warning when the sheet leaves images off.
func NewWriter(format string, out io.Writer, errlog, warn func(string), o WriterOptions) (*Writer, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Ext = strings.ToLower(strings.TrimPrefix(o.Ext, ".")); o.Ext == "" {
		o.Ext = "png"
	}
	if o.SheetMax < 1 {
		o.SheetMax = DefaultSheetMax
	}
	if errlog == nil {
		errlog = func(string) {}
	}
	if warn == nil {
		warn = func(string) {}
	}
	return &Writer{o: o, format: format, out: bufio.NewWriter(out), errlog: errlog, warn: warn, used: map[string]bool{}}, nil
}

// Check reports an unknown picture format (Ext) or contact sheet
// extension.
func (o WriterOptions) Check() error {
	switch strings.ToLower(strings.TrimPrefix(o.Ext, ".")) {
	case "", "png", "jpg", "jpeg":
	default:
		return fmt.Errorf("picture format %q: want png, jpg or jpeg", o.Ext)
	}
	if o.Sheet != "" && !sheetExt(o.Sheet) {
		return fmt.Errorf("contact sheet %s: want a .png, .jpg or .jpeg file name", o.Sheet)
	}
	return nil
}

func sheetExt(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// Begin makes the output directory.
func (w *Writer) Begin() error {
	if err := os.MkdirAll(w.o.Dir, 0o755); err != nil {
		return err
	}
	if w.format == "json" {
		w.out.WriteString("[")
		return w.out.Flush()
	}
	return nil
}

// record is the object of the json and jsonl formats.
type record struct {
	Path        string                    `json:"path"`
	PathBytes   []byte                    `json:"path_bytes,omitempty"`
	Output      string                    `json:"output,omitempty"`
	Predictions []classify.JSONPrediction `json:"predictions,omitempty"`
	Grid        []int                     `json:"grid,omitempty"`
	Relevance   []classify.Score          `json:"relevance,omitempty"`
	Error       string                    `json:"error,omitempty"`
}

// Write writes one record's overlay and then the record.
func (w *Writer) Write(r *classify.Result) error {
	var x *Explained
	if r.Err == nil {
		var ok bool
		if x, ok = r.Value.(*Explained); !ok {
			return fmt.Errorf("explain writer: record of %s has no overlay", r.Path)
		}
	}
	var file string
	if x != nil {
		var err error
		if file, err = w.save(r.Path, x.Captioned); err != nil {
			return err
		}
		w.addTile(r.Path, x)
	}
	if w.format == "text" {
		return w.writeText(r, x, file)
	}
	rec := record{Path: r.Path}
	if !utf8.ValidString(r.Path) {
		rec.PathBytes = []byte(r.Path)
	}
	if r.Err != nil {
		rec.Error = classify.ErrorText(r.Path, r.Err)
	} else {
		rec.Output = file
		for _, p := range x.Predictions {
			rec.Predictions = append(rec.Predictions, classify.JSONPrediction{Index: p.Index, Label: p.Label, Score: classify.Score(p.Score)})
		}
		rec.Grid = x.Grid[:]
		rec.Relevance = make([]classify.Score, len(x.Relevance))
		for i, v := range x.Relevance {
			rec.Relevance[i] = classify.Score(v)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return err
	}
	if w.format == "json" {
		if w.n > 0 {
			w.out.WriteString(",")
		}
		w.out.WriteString("\n")
		w.out.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	} else {
		w.out.Write(buf.Bytes())
	}
	w.n++
	return w.out.Flush()
}

func (w *Writer) writeText(r *classify.Result, x *Explained, file string) error {
	if r.Err != nil {
		w.errlog(fmt.Sprintf("%s: %s", classify.EscapeText(r.Path), classify.EscapeText(classify.ErrorText(r.Path, r.Err))))
		return nil
	}
	fmt.Fprintf(w.out, "%s -> %s\n", classify.EscapeText(r.Path), classify.EscapeText(file))
	for _, p := range x.Predictions {
		fmt.Fprintf(w.out, "  %6.2f%%  %s\n", 100*p.Score, classify.EscapeText(p.Label))
	}
	w.n++
	return w.out.Flush()
}

// End closes the json array and writes the contact sheet.
func (w *Writer) End() error {
	if w.format == "json" {
		if w.n > 0 {
			w.out.WriteString("\n")
		}
		w.out.WriteString("]\n")
	}
	if err := w.out.Flush(); err != nil {
		return err
	}
	if w.o.Sheet == "" {
		return nil
	}
	if w.skip > 0 {
		w.warn(fmt.Sprintf("contact sheet %s: the first %d images only, %d left off", w.o.Sheet, w.o.SheetMax, w.skip))
	}
	cols := 1
	for cols*cols < len(w.tiles) {
		cols++
	}
	if err := imaging.Save(Sheet(w.tiles, cols, 8), w.o.Sheet); err != nil {
		return fmt.Errorf("contact sheet: %w", err)
	}
	return nil
}

// addTile keeps a thumbnail of x's overlay with its top-1 label and file
// name for the contact sheet.
func (w *Writer) addTile(path string, x *Explained) {
	if w.o.Sheet == "" {
		return
	}
	if len(w.tiles) >= w.o.SheetMax {
		w.skip++
		return
	}
	th := imaging.Fit(x.Overlay, sheetTile, sheetTile, imaging.CatmullRom)
	if b := th.Bounds(); max(b.Dx(), b.Dy()) < sheetTile { // small images: enlarge to the tile
		tw, thh := fitLong(b.Dx(), b.Dy(), sheetTile)
		th = imaging.Resize(x.Overlay, tw, thh, imaging.CatmullRom)
	}
	lines := []string{filepath.Base(path)}
	if len(x.Predictions) > 0 {
		p := x.Predictions[0]
		lines = append([]string{fmt.Sprintf("%.0f%% %s", 100*p.Score, p.Label)}, lines...)
	}
	t, err := Caption(th, lines, 11)
	if err != nil {
		t = th
	}
	w.tiles = append(w.tiles, t)
}

// save encodes img to a new file in the output directory named after
// path, and returns its path.
func (w *Writer) save(path string, img image.Image) (string, error) {
	base := "stdin"
	if path != "-" {
		base = filepath.Base(path)
		base = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if base == "" || base == "." || base == string(filepath.Separator) {
		base = "image"
	}
	format, _ := imaging.FormatFromExtension(w.o.Ext)
	for i := 1; ; i++ {
		name := base + "." + w.o.Ext
		if i > 1 {
			name = base + "-" + strconv.Itoa(i) + "." + w.o.Ext
		}
		file := filepath.Join(w.o.Dir, name)
		if w.used[file] {
			continue
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			w.used[file] = true
			continue
		}
		if err != nil {
			return "", err
		}
		w.used[file] = true
		bw := bufio.NewWriter(f)
		err = imaging.Encode(bw, img, format, imaging.JPEGQuality(90))
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("write %s: %w", file, err)
		}
		return file, nil
	}
}
