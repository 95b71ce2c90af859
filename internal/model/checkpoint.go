package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unsafe"
)

// stFile is one opened safetensors file: its bytes (memory-mapped where the
// platform allows) and its validated header.
type stFile struct {
	name      string // for errors
	data      []byte // the whole file
	dataStart int64  // offset of the data section
	mapped    bool
	hdr       *stHeader
}

// openST maps and validates the safetensors file at path.
func openST(p string) (*stFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size > math.MaxInt {
		return nil, fmt.Errorf("%s: %d bytes do not fit in memory", p, size)
	}
	hdr, start, err := readHeaderFrom(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	data, mapped, err := mapFile(f, size)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", p, err)
	}
	sf := &stFile{name: p, data: data, dataStart: start, mapped: mapped, hdr: hdr}
	for _, t := range hdr.tensors {
		t.file = sf
	}
	return sf, nil
}

// openSTBytes validates an in-memory safetensors file.
func openSTBytes(name string, b []byte) (*stFile, error) {
	hdr, err := parseFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	sf := &stFile{name: name, data: b, dataStart: int64(len(b)) - hdr.dataLen, hdr: hdr}
	for _, t := range hdr.tensors {
		t.file = sf
	}
	return sf, nil
}

// bytes returns the stored bytes of t.
func (f *stFile) bytes(t *stTensor) []byte {
	return f.data[f.dataStart+t.begin : f.dataStart+t.end]
}

// release drops the resident pages of t once it has been converted.
func (f *stFile) release(t *stTensor) {
	if f.mapped {
		dropPages(f.bytes(t))
	}
}

func (f *stFile) close() error {
	if f.mapped && f.data != nil {
		err := unmapFile(f.data)
		f.data = nil
		return err
	}
	f.data = nil
	return nil
}

func uintptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// checkpoint is the union of the tensors of one or more safetensors files.
type checkpoint struct {
	files  []*stFile
	byName map[string]*stTensor
}

func (c *checkpoint) close() error {
	var first error
	for _, f := range c.files {
		if err := f.close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// names returns the tensor names, sorted.
func (c *checkpoint) names() []string {
	s := make([]string, 0, len(c.byName))
	for k := range c.byName {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func (c *checkpoint) add(f *stFile) error {
	c.files = append(c.files, f)
	for _, t := range f.hdr.tensors {
		if o, dup := c.byName[t.name]; dup {
			return fmt.Errorf("tensor %q is in both %s and %s", t.name, o.file.name, f.name)
		}
		c.byName[t.name] = t
	}
	return nil
}

// shardIndex is model.safetensors.index.json.
type shardIndex struct {
	WeightMap map[string]string `json:"weight_map"`
}

// openCheckpoint opens model.safetensors, or the shards listed in
// model.safetensors.index.json, from dir: memory-mapped from the OS file
// system when fsys is nil, else read from fsys. Every tensor name must be
// unique across shards and the index must list exactly the stored tensors.
func openCheckpoint(dir string, fsys fs.FS) (*checkpoint, error) {
	c := &checkpoint{byName: map[string]*stTensor{}}
	join := joiner(dir, fsys)
	openOne := func(name string) error {
		p := join(name)
		var f *stFile
		var err error
		if fsys != nil {
			var b []byte
			b, err = fs.ReadFile(fsys, p)
			if err == nil {
				f, err = openSTBytes(p, b)
			}
		} else {
			f, err = openST(p)
		}
		if err != nil {
			return err
		}
		return c.add(f)
	}
	names, si, err := checkpointFiles(fsys, join)
	if err != nil {
		return nil, err
	}
	for _, s := range names {
		if err := openOne(s); err != nil {
			c.close()
			return nil, err
		}
	}
	if si == nil {
		return c, nil
	}
	idxPath := join(indexFile)
	for k, s := range si.WeightMap {
		t, ok := c.byName[k]
		if !ok {
			c.close()
			return nil, fmt.Errorf("%s: tensor %q is listed for %s but not stored there", idxPath, k, s)
		}
		if path.Base(t.file.name) != s && filepath.Base(t.file.name) != s {
			c.close()
			return nil, fmt.Errorf("%s: tensor %q is listed for %s but stored in %s", idxPath, k, s, t.file.name)
		}
	}
	for k, t := range c.byName {
		if _, ok := si.WeightMap[k]; !ok {
			c.close()
			return nil, fmt.Errorf("%s: tensor %q of %s is not in weight_map", idxPath, k, t.file.name)
		}
	}
	return c, nil
}

const indexFile = "model.safetensors.index.json"

// checkpointFiles lists the safetensors files of a model directory (join
// turns a file name into its path): model.safetensors, or the shards named
// by model.safetensors.index.json, sorted, each a plain file name, with the
// parsed index.
func checkpointFiles(fsys fs.FS, join func(string) string) ([]string, *shardIndex, error) {
	idxPath := join(indexFile)
	idx, err := readFileFS(fsys, idxPath)
	switch {
	case isNotExist(err):
		return []string{"model.safetensors"}, nil, nil
	case err != nil:
		return nil, nil, err
	}
	var si shardIndex
	if err := json.Unmarshal(idx, &si); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", idxPath, err)
	}
	if len(si.WeightMap) == 0 {
		return nil, nil, fmt.Errorf("%s: empty weight_map", idxPath)
	}
	shards := map[string]bool{}
	for _, s := range si.WeightMap {
		if s == "" || strings.ContainsAny(s, `/\`) || s == "." || s == ".." {
			return nil, nil, fmt.Errorf("%s: shard name %q is not a plain file name", idxPath, s)
		}
		shards[s] = true
	}
	names := make([]string, 0, len(shards))
	for s := range shards {
		names = append(names, s)
	}
	sort.Strings(names)
	return names, &si, nil
}

// joiner returns the function that turns a file name in the model
// directory dir into its path: in fsys when fsys is not nil, else on the
// operating system.
func joiner(dir string, fsys fs.FS) func(string) string {
	if fsys != nil {
		return func(name string) string { return path.Join(dir, name) }
	}
	return func(name string) string { return filepath.Join(dir, name) }
}

// readFileFS reads p from fsys, or from the operating system when fsys is
// nil.
// An error names the file by its base name: the caller's "load DIR"
// says where it is.
func readFileFS(fsys fs.FS, p string) ([]byte, error) {
	var b []byte
	var err error
	if fsys != nil {
		b, err = fs.ReadFile(fsys, p)
	} else {
		b, err = os.ReadFile(p)
	}
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		pe.Path = path.Base(filepath.ToSlash(pe.Path))
	}
	return b, err
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
