package kernels

import (
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// forEachISA runs fn once per family the CPU has, as a subtest named after
// it, and restores the flags.
func forEachISA(t *testing.T, fn func(t *testing.T)) {
	for _, s := range isas() {
		t.Run(s.String(), func(t *testing.T) {
			defer setISA(s)()
			fn(t)
		})
	}
}

// guarded returns a slice of n values with off NaN values before it and
// guardLen after it, and a func that fails t if a guard was overwritten.
const guardLen = 19

func guarded(t *testing.T, n, off int, fill func(i int) float32) ([]float32, func(what string)) {
	buf := make([]float32, off+n+guardLen)
	for i := range buf {
		buf[i] = float32(math.NaN())
	}
	x := buf[off : off+n : off+n]
	for i := range x {
		x[i] = fill(i)
	}
	return x, func(what string) {
		t.Helper()
		for i := 0; i < off; i++ {
			if !math.IsNaN(float64(buf[i])) {
				t.Fatalf("%s: guard before the output overwritten at %d", what, i-off)
			}
		}
		for i := off + n; i < len(buf); i++ {
			if !math.IsNaN(float64(buf[i])) {
				t.Fatalf("%s: guard after the output overwritten at +%d", what, i-off-n)
			}
		}
	}
}

// readOnly keeps a copy of each input (by name) that a kernel must not
// write and returns a func that fails t if one was changed, as gonum's
// tests do (msgReadOnly). Values are compared bit for bit, so NaN guards
// compare equal, over the whole capacity of each slice.
func readOnly(t *testing.T, in map[string][]float32) (unchanged func(what string)) {
	names := slices.Sorted(maps.Keys(in))
	orig := make(map[string][]float32, len(in))
	for n, x := range in {
		orig[n] = slices.Clone(x[:cap(x)])
	}
	return func(what string) {
		t.Helper()
		for _, n := range names {
			x, o := in[n][:len(orig[n])], orig[n]
			for i := range o {
				if math.Float32bits(x[i]) != math.Float32bits(o[i]) {
					t.Fatalf("%s: input %s modified at [%d]: %v, was %v", what, n, i, x[i], o[i])
				}
			}
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// closeTo reports whether |got−want| ≤ atol + rtol·|want|.
func closeTo(got, want, atol, rtol float64) bool {
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

func name(args ...any) string { return fmt.Sprint(args...) }
