package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// outputFile is -o: records go to a temporary file in the target's
// directory, renamed over the target by commit, so the target is only
// ever replaced whole (a reader never sees half a file, a failed start
// never empties a previous one). A target that exists and is not a
// regular file (/dev/null, a FIFO, a terminal) is written in place.
type outputFile struct {
	*os.File
	target string // the file renamed over ("" when written in place)
	done   bool
}

// createOutput opens -o name for writing.
func createOutput(name string) (*outputFile, error) {
	target := name
	fi, err := os.Stat(name) // follows a symbolic link: its target is replaced
	switch {
	case err == nil && !fi.Mode().IsRegular():
		if fi.IsDir() {
			return nil, fmt.Errorf("-o %s: is a directory", name)
		}
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("-o: %w", err)
		}
		return &outputFile{File: f}, nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("-o: %w", err)
	}
	if err == nil {
		if t, lerr := filepath.EvalSymlinks(name); lerr == nil {
			target = t
		}
	} else if t, lerr := os.Readlink(name); lerr == nil {
		// A dangling link: create the file it names, keep the link.
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(name), t)
		}
		target = t
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("-o %s: %w", name, err)
	}
	mode := fs.FileMode(0o644)
	if fi != nil {
		mode = fi.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("-o %s: %w", name, err)
	}
	return &outputFile{File: f, target: target}, nil
}

// commit closes the file and renames it over the target.
func (o *outputFile) commit() error {
	o.done = true
	err := o.File.Close()
	if o.target == "" {
		return err
	}
	if err == nil {
		err = os.Rename(o.Name(), o.target)
	}
	if err != nil {
		os.Remove(o.Name())
		return fmt.Errorf("write %s: %w", o.target, err)
	}
	return nil
}

// abort closes and removes the temporary file, leaving the target as it
// was; after commit it does nothing.
func (o *outputFile) abort() {
	if o.done {
		return
	}
	o.done = true
	o.File.Close()
	if o.target != "" {
		os.Remove(o.Name())
	}
}

// checkOutputNotInput refuses an -o that is the same file (device and
// inode) as an input or the --files-from list: the run would read what it
// replaces.
func checkOutputNotInput(o *runOptions) error {
	if o.Output == "" {
		return nil
	}
	out, err := os.Stat(o.Output)
	if err != nil || !out.Mode().IsRegular() {
		return nil // a new file, or /dev/null and the like: never an input
	}
	same := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && os.SameFile(fi, out)
	}
	for _, p := range o.Inputs {
		if p != "-" && same(p) {
			return usagef("-o %s is the input %s: it would be replaced before it is read", o.Output, p)
		}
	}
	if o.FilesFrom != "" && o.FilesFrom != "-" && same(o.FilesFrom) {
		return usagef("-o %s is the --files-from list %s: it would be replaced before it is read", o.Output, o.FilesFrom)
	}
	return nil
}
