package classify

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Inputs names the images of one run, in the order their records come out.
type Inputs struct {
	// Paths are image files (taken whatever their name), directories
	// (walked as Walk says), and "-" for one image read from Stdin. A
	// path given again (the same file or directory, however spelled) is
	// taken once, at its first place, with a warning.
	Paths []string
	// FilesFrom names a list of files, one a line, after Paths: "" none,
	// "-" Stdin, else a file. Entries are taken whatever their name; the
	// directories there are skipped, with one warning per run.
	FilesFrom string
	Null      bool      // FilesFrom entries end with NUL, not newline
	Stdin     io.Reader // for "-" and FilesFrom "-"; read at most once
	Shard     Shard     // Count 0: every input
	Walk      Walk
	// Skip, when set, leaves out the inputs whose path it returns true
	// for (those done by an earlier run: Resume). Stdin is never skipped.
	Skip func(path string) bool
}

// Walk is how directory arguments are walked, as fd and ripgrep walk:
// recursively, each directory's entries in byte order of their names,
// keeping the files with an image extension (IsImageName) that Globs
// keep. Names that start with "." are skipped unless Hidden, ".git" is
// never entered, and symbolic links met in a walk are skipped unless
// Follow (arguments that are links are always followed). With Follow a
// directory is never entered inside itself (a link cycle), and a
// directory reached through a link is entered once per run, so links
// cannot multiply a walk.
type Walk struct {
	Hidden   bool   // take names that start with "." (".git" excepted)
	Follow   bool   // follow symbolic links met in a walk
	MaxDepth int    // levels below a directory argument (1: its own entries only); 0: no limit
	Globs    []Glob // path filters, the last that matches wins (see globsKeep)
}

// ErrNotRecountable is Count's error for inputs whose FilesFrom list can
// be read only once (standard input, a FIFO, a device, a process
// substitution): a second reader would take entries from the run's.
var ErrNotRecountable = errors.New("the --files-from list can be read only once")

// Recountable reports whether Count may walk in beside Run: FilesFrom is
// unset or names a regular file, the only kind that reads the same twice.
func (in Inputs) Recountable() bool {
	if in.FilesFrom == "" {
		return true
	}
	if in.FilesFrom == "-" {
		return false
	}
	fi, err := os.Stat(in.FilesFrom)
	return err == nil && fi.Mode().IsRegular()
}

// Count walks in as Run would, without Stdin, and returns the number of
// inputs; more is asked after each and returns false to stop early. It
// reads nothing and returns ErrNotRecountable unless in.Recountable().
func Count(in Inputs, more func() bool) (int64, error) {
	if !in.Recountable() {
		return 0, ErrNotRecountable
	}
	var n int64
	src := &source{Inputs: in, warn: func(string) {}, stop: func() bool { return !more() }}
	err := src.run(func(input) bool {
		n++
		return more()
	})
	return n, err
}

// Shard selects the Index-th (1-based) of Count deterministic slices of
// the inputs.
type Shard struct{ Index, Count int }

func (s Shard) String() string {
	if s.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseShard reads "I/N" with 1 ≤ I ≤ N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, errors.New("want I/N, e.g. 3/10")
	}
	idx, err1 := strconv.Atoi(strings.TrimSpace(i))
	cnt, err2 := strconv.Atoi(strings.TrimSpace(n))
	if err1 != nil || err2 != nil {
		return Shard{}, errors.New("want I/N with integers, e.g. 3/10")
	}
	if cnt < 1 || idx < 1 || idx > cnt {
		return Shard{}, errors.New("want 1 ≤ I ≤ N")
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// inputKind says how a pipeline worker reads an input.
type inputKind uint8

const (
	inFile   inputKind = iota // open path (a command-line file or a walked file)
	inStdin                   // read one image from standard input
	inListed                  // a --files-from entry: a directory there is skipped with a warning
	inFailed                  // the walk failed here (err says why); becomes an error record
)

// input is one entry of the ordered input stream.
type input struct {
	path string
	kind inputKind
	err  error // inFailed only
}

// imageExts are the extensions a directory walk keeps (compared lower-cased).
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true,
	".bmp": true, ".tif": true, ".tiff": true, ".webp": true,
}

// imageExtList names imageExts for messages.
const imageExtList = "jpg, jpeg, jpe, jfif, png, gif, bmp, tif, tiff, webp files"

// IsImageName reports whether a directory walk keeps a file of this name.
func IsImageName(name string) bool { return imageExts[strings.ToLower(filepath.Ext(name))] }

// errStop ends a walk early (the consumer stopped).
var errStop = errors.New("stop")

// source enumerates the inputs of one classify run in order, streaming:
// directories are read one at a time, never the whole tree first.
type source struct {
	Inputs
	warn func(msg string) // a warning for the user (a skipped directory)

	args     map[fileID]string // the arguments taken so far, by device and inode
	argNames map[string]string // the same, by cleaned path, for those that cannot be stat'ed
	inWalk   map[fileID]bool   // the directories being walked (the current one and its parents)
	linked   map[fileID]bool   // directories entered through a symbolic link (Follow)
	emit     func(input) bool
	stop     func() bool     // when set and true, the walk ends (the run was canceled)
	ctx      context.Context // when set, ends blocked reads of the list (nil: none)
}

// stopped reports whether the walk should end.
func (s *source) stopped() bool { return s.stop != nil && s.stop() }

// run calls emit for each input in order; emit returns false to stop early.
// A walk problem tied to one path becomes an inFailed input; only a problem
// with --files-from itself is returned as an error.
func (s *source) run(emit func(input) bool) error {
	s.args = make(map[fileID]string)
	s.argNames = make(map[string]string)
	s.inWalk = make(map[fileID]bool)
	s.linked = make(map[fileID]bool)
	s.emit = func(in input) bool {
		if s.Shard.Count > 0 && !s.Shard.keeps(in.path) {
			return true
		}
		if s.Skip != nil && in.kind != inStdin && s.Skip(in.path) {
			return true
		}
		return emit(in)
	}
	err := s.runArgs()
	if err == nil && s.FilesFrom != "" {
		err = s.runFilesFrom()
	}
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

func (s *source) runArgs() error {
	stdin := false
	for _, p := range s.Paths {
		if p == "-" {
			if stdin {
				continue // refused by the command; read once
			}
			stdin = true
			if !s.emit(input{path: "-", kind: inStdin}) {
				return errStop
			}
			continue
		}
		if err := s.visitArg(p); err != nil {
			return err
		}
	}
	return nil
}

// visitArg takes a path given by the user: a file whatever its name, a
// directory walked, a symbolic link followed; one given before (the same
// file by device and inode, or the same cleaned path when it cannot be
// stat'ed) is skipped with a warning.
func (s *source) visitArg(p string) error {
	fi, err := os.Stat(p) // follows symbolic links
	if err != nil {
		// A dangling link, a link loop, a missing file: the worker's open
		// fails with the same error and makes it the input's record.
		key := filepath.Clean(p)
		if first, ok := s.argNames[key]; ok {
			s.warn(fmt.Sprintf("%s: given before as %s, skipped", p, first))
			return nil
		}
		s.argNames[key] = p
		return s.send(input{path: p, kind: inFile})
	}
	if id, ok := fileIDOf(fi); ok {
		if first, ok := s.args[id]; ok {
			if first == p {
				s.warn(fmt.Sprintf("%s: given more than once, taken once", p))
			} else {
				s.warn(fmt.Sprintf("%s: the same as %s, given before; skipped", p, first))
			}
			return nil
		}
		s.args[id] = p
	}
	if fi.IsDir() {
		return s.walkDir(p, "", 0, fi, false)
	}
	return s.send(input{path: p, kind: inFile})
}

func (s *source) send(in input) error {
	if !s.emit(in) {
		return errStop
	}
	return nil
}

// walkDir walks dir depth first, each directory's entries in byte order of
// their names, as s.Walk says. rel is dir's path below the argument ("/"
// separators; "" for the argument), depth its level below it (0 for the
// argument), link whether it was reached through a symbolic link.
func (s *source) walkDir(dir, rel string, depth int, fi fs.FileInfo, link bool) error {
	if id, ok := fileIDOf(fi); ok {
		switch {
		case s.inWalk[id]:
			s.warn(fmt.Sprintf("%s: directory inside itself (a symbolic link cycle), skipped", dir))
			return nil
		case link && s.linked[id]:
			s.warn(fmt.Sprintf("%s: directory already visited through a symbolic link, skipped", dir))
			return nil
		}
		if link {
			s.linked[id] = true
		}
		s.inWalk[id] = true
		defer delete(s.inWalk, id)
	}
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		if err := s.send(input{path: dir, kind: inFailed, err: err}); err != nil {
			return err
		}
	}
	w := s.Walk
	for _, e := range entries {
		if s.stopped() {
			return errStop
		}
		name := e.Name()
		if name == ".git" || (!w.Hidden && strings.HasPrefix(name, ".")) {
			continue
		}
		p := joinPath(dir, name)
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		t := e.Type()
		isLink := t&fs.ModeSymlink != 0
		var sub fs.FileInfo // a directory's (or a followed link's) info
		if isLink {
			if !w.Follow {
				continue
			}
			if sub, err = os.Stat(p); err != nil {
				// A dangling link or a link loop with an image name:
				// the open fails the same way, as the input's record.
				if IsImageName(name) && globsKeep(w.Globs, r, false) {
					if err := s.send(input{path: p, kind: inFile}); err != nil {
						return err
					}
				}
				continue
			}
			t = sub.Mode().Type()
		}
		switch {
		case t.IsDir():
			if (w.MaxDepth > 0 && depth+1 >= w.MaxDepth) || !globsKeep(w.Globs, r, true) {
				continue
			}
			if sub == nil {
				if sub, err = os.Stat(p); err != nil {
					if err := s.send(input{path: p, kind: inFailed, err: err}); err != nil {
						return err
					}
					continue
				}
			}
			if err := s.walkDir(p, r, depth+1, sub, isLink); err != nil {
				return err
			}
		case t.IsRegular() && IsImageName(name) && globsKeep(w.Globs, r, false):
			if err := s.send(input{path: p, kind: inFile}); err != nil {
				return err
			}
		}
	}
	return nil
}

// joinPath appends name to dir keeping dir as the user spelled it
// (filepath.Join would turn "./a" into "a").
func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, string(os.PathSeparator)) {
		return dir + name
	}
	return dir + string(os.PathSeparator) + name
}

// runFilesFrom streams the --files-from list. Entries are files; each is
// classified whatever its name (directories in the list are skipped with a
// warning, so `find DIR -print0` works as well as `find DIR -type f -print0`).
func (s *source) runFilesFrom() error {
	var r io.Reader
	name := s.FilesFrom
	if name == "-" {
		r = newCtxReader(s.ctx, s.Stdin)
		name = "standard input"
	} else {
		f, err := openCtx(s.ctx, name) // a FIFO's open waits for its writer
		if err != nil {
			if s.stopped() {
				return errStop
			}
			return fmt.Errorf("--files-from: %w", err)
		}
		defer f.Close()
		r = f
		if mayBlock(f) {
			r = newCtxReader(s.ctx, f)
		}
	}
	sep := byte('\n')
	if s.Null {
		sep = 0
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var long []byte // an entry longer than bufio's buffer, up to maxPathBytes+1 bytes
	for {
		if s.stopped() {
			return errStop
		}
		chunk, err := br.ReadSlice(sep)
		if errors.Is(err, bufio.ErrBufferFull) {
			// No separator in the buffer: the entry goes on. Keep at most
			// one byte past the limit, to know it was passed.
			long = append(long, chunk[:min(len(chunk), maxPathBytes+1-len(long))]...)
			continue
		}
		var line string
		if len(long) > 0 {
			long = append(long, chunk[:min(len(chunk), maxPathBytes+1-len(long))]...)
			line = string(long)
			long = long[:0]
		} else {
			line = string(chunk)
		}
		if strings.HasSuffix(line, string(sep)) {
			line = line[:len(line)-1]
		}
		if !s.Null {
			line = strings.TrimSuffix(line, "\r")
		}
		if len(line) > maxPathBytes {
			// Not a path any system opens: an error record, with the
			// entry's start to find it by.
			if err := s.send(input{path: line[:64] + "…", kind: inFailed,
				err: fmt.Errorf("--files-from entry longer than %d bytes, the longest path the system opens", maxPathBytes)}); err != nil {
				return err
			}
		} else if line != "" {
			// Entries are file names, "-" included: standard input is
			// named on the command line only.
			if err := s.send(input{path: line, kind: inListed}); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if s.stopped() {
				return errStop
			}
			return fmt.Errorf("--files-from %s: %w", name, err)
		}
	}
}

// maxPathBytes is the longest --files-from entry: Linux's PATH_MAX (4096
// with its NUL; macOS allows 1024), so any path the system can open fits.
const maxPathBytes = 4096

// keeps reports whether path falls in this shard: the first 8 bytes of
// SHA-256(path), big-endian, modulo Count, equal Index-1. A hash (not the
// position in the input order) keeps every file in one slice even when the
// machines of one job list a changing directory at different times, and
// anyone can recompute it:
//
//	python3 -c 'import hashlib,sys; print(int.from_bytes(hashlib.sha256(sys.argv[1].encode()).digest()[:8], "big") % N + 1)' PATH
func (s Shard) keeps(path string) bool {
	if s.Count <= 1 {
		return true
	}
	h := sha256.Sum256([]byte(path))
	return binary.BigEndian.Uint64(h[:8])%uint64(s.Count) == uint64(s.Index-1)
}
