package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// Inspect reads, without loading the weights, what a listing of models
// shows of the model directory dir in fsys: the number of parameters from
// the safetensors headers (model.safetensors or the shards of its index)
// and the number of classes from config.json. An unknown value is -1; err
// joins what could not be read.
func Inspect(fsys fs.FS, dir string) (params int64, classes int, err error) {
	params, classes = -1, -1
	join := joiner(dir, fsys)
	var errs []error
	if cfg, err := readConfig(fsys, join("config.json")); err != nil {
		errs = append(errs, err)
	} else {
		classes = cfg.NumClasses
	}
	names, _, err := checkpointFiles(fsys, join)
	if err != nil {
		return params, classes, errors.Join(append(errs, err)...)
	}
	var total int64
	for _, name := range names {
		h, err := readHeaderFS(fsys, join(name))
		if err != nil {
			return params, classes, errors.Join(append(errs, fmt.Errorf("%s: %w", name, err))...)
		}
		for _, t := range h.tensors {
			total += int64(t.numel())
		}
	}
	return total, classes, errors.Join(errs...)
}

// readConfigJSON reads and decodes the config.json at p (in fsys, or on
// the operating system when fsys is nil).
func readConfigJSON(fsys fs.FS, p string) (*configJSON, error) {
	raw, err := readFileFS(fsys, p)
	if err != nil {
		return nil, err
	}
	var cj configJSON
	if err := json.Unmarshal(raw, &cj); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	return &cj, nil
}

// readConfig parses config.json as Load does (HF or timm).
func readConfig(fsys fs.FS, p string) (Config, error) {
	cj, err := readConfigJSON(fsys, p)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	switch {
	case cj.isTimm():
		cfg, err = parseTimmConfig(cj)
	case hfModelTypes[cj.ModelType] == "":
		return Config{}, unsupportedModelType(cj.ModelType)
	default:
		cfg, err = parseHFConfig(cj)
	}
	if err != nil {
		return Config{}, fmt.Errorf("config.json: %w", err)
	}
	return cfg, nil
}

// readHeaderFS reads and validates only the header of the safetensors file
// p in fsys.
func readHeaderFS(fsys fs.FS, p string) (*stHeader, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if r, ok := f.(io.ReaderAt); ok {
		h, _, err := readHeaderFrom(r, st.Size())
		return h, err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return parseFile(b)
}
