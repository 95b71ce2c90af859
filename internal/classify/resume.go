package classify

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// ResumeFormats are the formats Resume reads: those whose records are
// whole lines (rows) that a run appends.
var ResumeFormats = []string{"jsonl", "csv", "tsv"}

// Resumed is what a previous run left in an output file.
type Resumed struct {
	Done    map[string]bool // the paths of its records, successes and failures
	Records int             // how many records (csv: paths) those are
	Header  bool            // the file starts with the csv or tsv header
	Dropped bool            // a torn last record was cut off, to be done again
}

// Resume reads the records a previous run of format (one of
// ResumeFormats) left in f, and cuts f after the last whole one, so that
// a run can skip their paths (Inputs.Skip) and append the rest. A last
// line without its newline, from a run killed while writing it, is
// dropped, and in csv the rows of the last path before it too (a path's
// rows may have been cut short with it), so those inputs are done again.
// header is the csv or tsv header the run writes (nil: none, --no-header);
// a file that holds something else, or starts with another header, is
// refused rather than appended to. An empty file is fine.
func Resume(f *os.File, format string, header []string) (Resumed, error) {
	res := Resumed{Done: map[string]bool{}}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return res, err
	}
	// Cut a torn last line.
	end, err := lastLineEnd(f, size)
	if err != nil {
		return res, err
	}
	res.Dropped = end < size
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return res, err
	}
	r := io.LimitReader(f, end)
	switch format {
	case "jsonl":
		err = resumeJSONL(r, &res)
	case "csv":
		end, err = resumeCSV(r, header, &res)
	case "tsv":
		err = resumeTSV(r, header, &res)
	default:
		return res, fmt.Errorf("%s output cannot be resumed (want %s)", format, strings.Join(ResumeFormats, " or "))
	}
	if err != nil {
		return res, fmt.Errorf("%s: %w; not resuming into it", f.Name(), err)
	}
	if err := f.Truncate(end); err != nil {
		return res, err
	}
	_, err = f.Seek(end, io.SeekStart)
	return res, err
}

// lastLineEnd returns the offset just past f's last newline (0 if none).
func lastLineEnd(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		n := min(end, int64(len(buf)))
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return end - n + int64(i) + 1, nil
		}
		end -= n
	}
	return 0, nil
}

// eachLine calls fn with each line of r (its '\n' kept, the last one
// perhaps without), numbered from 1, until fn fails or r ends.
func eachLine(r io.Reader, fn func(line int, b []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			if ferr := fn(line, b); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// resumeJSONL reads one JSON object with a path per line.
func resumeJSONL(r io.Reader, res *Resumed) error {
	return eachLine(r, func(line int, b []byte) error {
		var rec struct {
			Path      *string `json:"path"`
			PathBytes []byte  `json:"path_bytes"`
		}
		if jerr := json.Unmarshal(b, &rec); jerr != nil || rec.Path == nil {
			return fmt.Errorf("line %d is not a jsonl record with a path", line)
		}
		p := *rec.Path
		if rec.PathBytes != nil {
			p = string(rec.PathBytes)
		}
		res.Done[p] = true
		res.Records++
		return nil
	})
}

// resumeTSV reads tsv lines of len(header) fields (the run's -k), the
// first one the header unless header is nil (then the lines are not
// counted), each the record of the path in its first field, escaped as
// text output escapes it.
func resumeTSV(r io.Reader, header []string, res *Resumed) error {
	return eachLine(r, func(line int, b []byte) error {
		f := strings.Split(strings.TrimSuffix(string(b), "\n"), "\t")
		switch {
		case line == 1 && header != nil:
			if !slices.Equal(f, header) {
				return fmt.Errorf("its first line is %q, not the header %q (the same -k?)", strings.Join(f, "\t"), strings.Join(header, "\t"))
			}
			res.Header = true
		case line == 1 && f[0] == "path":
			return errors.New("it starts with a header, and this run writes none (--no-header)")
		case header != nil && len(f) != len(header):
			return fmt.Errorf("line %d has %d fields, want %d (the same -k?)", line, len(f), len(header))
		default:
			p, perr := UnescapeText(f[0])
			if perr != nil {
				return fmt.Errorf("line %d: path: %w", line, perr)
			}
			res.Done[p] = true
			res.Records++
		}
		return nil
	})
}

// resumeCSV reads csv rows of CSVHeader's columns after header, and
// returns the offset to cut the file at: its end, or, when the last line
// was torn (res.Dropped), the start of its path's rows.
func resumeCSV(r io.Reader, header []string, res *Resumed) (int64, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(CSVHeader)
	cr.ReuseRecord = true
	var end, groupStart int64 // the end of the last row read, the start of its path's rows
	last := ""
	for row := 1; ; row++ {
		start := cr.InputOffset()
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return 0, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
			}
			return 0, err
		}
		end = cr.InputOffset()
		if row == 1 && header != nil {
			if !slices.Equal(rec, header) {
				return 0, fmt.Errorf("its first line is %q, not the header %q", strings.Join(rec, ","), strings.Join(header, ","))
			}
			res.Header = true
			groupStart = end
			continue
		}
		if row == 1 && slices.Equal(rec, CSVHeader) {
			return 0, errors.New("it starts with a header, and this run writes none (--no-header)")
		}
		if rec[0] != last || res.Records == 0 {
			last = rec[0]
			groupStart = start
			res.Done[last] = true
			res.Records++
		}
	}
	if res.Dropped && res.Records > 0 {
		delete(res.Done, last)
		res.Records--
		return groupStart, nil
	}
	return end, nil
}
