package main

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// sizeUnits are the suffixes parseSize takes, case-insensitive: binary
// (KiB, MiB, GiB, TiB) and, as most tools read them, K, M, G, T and
// KB, MB, GB, TB as binary too.
var sizeUnits = []struct {
	suffix string
	shift  uint
}{
	{"kib", 10}, {"mib", 20}, {"gib", 30}, {"tib", 40},
	{"kb", 10}, {"mb", 20}, {"gb", 30}, {"tb", 40},
	{"k", 10}, {"m", 20}, {"g", 30}, {"t", 40},
	{"b", 0},
}

// parseSize reads a byte count: a whole number with an optional unit
// ("268435456", "256MiB", "1GiB", "512M", "1.5 GiB").
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	shift := uint(0)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	if t == "" {
		return 0, errors.New("want a size such as 256MiB or 1GiB")
	}
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		if n < 0 || n > math.MaxInt64>>shift {
			return 0, errors.New("out of range")
		}
		return n << shift, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) {
		return 0, errors.New("want a size such as 256MiB or 1GiB")
	}
	v := f * float64(int64(1)<<shift)
	if f < 0 || v >= math.MaxInt64 {
		return 0, errors.New("out of range")
	}
	return int64(v), nil
}

// parseCount reads a count written as people write pixel counts: a whole
// number ("1000000"), scientific notation ("1e6", "2.5e7") or a decimal
// suffix K, M or G ("100M", "1.5G"), as long as the value is whole.
func parseCount(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	switch {
	case strings.HasSuffix(t, "K") || strings.HasSuffix(t, "k"):
		mult, t = 1e3, t[:len(t)-1]
	case strings.HasSuffix(t, "M"):
		mult, t = 1e6, t[:len(t)-1]
	case strings.HasSuffix(t, "G"):
		mult, t = 1e9, t[:len(t)-1]
	}
	t = strings.TrimSpace(t)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && mult == 1 {
		if n < 0 {
			return 0, errors.New("want ≥ 0")
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("want a count such as 1000000, 1e6 or 100M")
	}
	v := f * mult
	switch {
	case v < 0:
		return 0, errors.New("want ≥ 0")
	case v >= math.MaxInt64:
		return 0, errors.New("out of range")
	case v != math.Trunc(v):
		return 0, errors.New("want a whole number")
	}
	return int64(v), nil
}

// countFlag is a flag holding a count read by parseCount.
type countFlag struct{ v *int64 }

func (c countFlag) Set(s string) error {
	n, err := parseCount(s)
	if err != nil {
		return err
	}
	*c.v = n
	return nil
}

func (c countFlag) Type() string   { return "count" }
func (c countFlag) String() string { return strconv.FormatInt(*c.v, 10) }
