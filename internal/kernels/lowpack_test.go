package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSetRowsBF16 builds bf16 and int8 operands from stored bf16 bits,
// row block by row block, and checks they are bit for bit the operands
// Convert makes from the same values expanded to float32 (the expansion
// is exact, so both routes see the same numbers): every K from 1 to 9
// and around a vector's width, split points anywhere, and the special
// values (±0, ±Inf, NaNs quiet and signalling, subnormals); bf16 forms
// made with their pairs swapped and, on a CPU with VDPBF16PS, in order.
func TestSetRowsBF16(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	specials := []uint16{0x0000, 0x8000, 0x7f80, 0xff80, 0x7f81, 0xffc1, 0x7fc0, 0x0001, 0x807f, 0x7f7f}
	// bf16 forms in both pair orders: made on the generic path (swapped)
	// and, where the CPU has it, on VDPBF16PS's (in order).
	orders := []lowPath{{name: "generic", isa: isaGeneric}}
	for _, lp := range lowPaths() {
		if lp.dp {
			orders = append(orders, lp)
			break
		}
	}
	for _, prec := range []Precision{BF16, Int8} {
		for _, k := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 31, 32, 33, 67} {
			for _, n := range []int{1, 3, 13} {
				raw := make([]byte, 2*n*k) // [n, k] bf16, little-endian
				for i := range n * k {
					b := uint16(math.Float32bits(float32(r.NormFloat64())) >> 16)
					if r.IntN(8) == 0 {
						b = specials[r.IntN(len(specials))]
					}
					binary.LittleEndian.PutUint16(raw[2*i:], b)
				}
				// The rows of the last matrix all finite: int8 on a row
				// with a NaN or an Inf is all zeros either way.
				if k == 67 {
					for i := range n * k {
						binary.LittleEndian.PutUint16(raw[2*i:], binary.LittleEndian.Uint16(raw[2*i:])&0x3fff)
					}
				}
				v := make([]float32, n*k) // [n, k]
				for i := range v {
					v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
				}
				for _, made := range orders {
					if prec == Int8 && made.dp {
						continue // int8 has no pair order
					}
					onLowPath(made, func() {
						want := PackB(v, n, k, k).Convert(prec)
						if prec == BF16 && want.lp.ord.nat.Load() != made.dp {
							t.Fatalf("n=%d k=%d made on %s: pairs in order %v", n, k, made.name, !made.dp)
						}
						for split := 0; split <= n; split++ {
							got := NewLowB(prec, n, k)
							got.SetRowsBF16(0, raw[:2*split*k], split)
							got.SetRowsBF16(split, raw[2*split*k:], n-split)
							if d := lowFormDiff(got.lp, want.lp); d != "" {
								t.Fatalf("%v n=%d k=%d made on %s, split at %d: %s", prec, n, k, made.name, split, d)
							}
						}
						// Two float32 row blocks (q|k|v parts) give what one gives.
						got := NewLowB(prec, n, k)
						got.SetRows(0, v, n/2, k)
						got.SetRows(n/2, v[n/2*k:], n-n/2, k)
						if d := lowFormDiff(got.lp, want.lp); d != "" {
							t.Fatalf("%v n=%d k=%d made on %s, SetRows in two blocks: %s", prec, n, k, made.name, d)
						}
					})
				}
			}
		}
	}
}

// lowFormDiff describes the first difference between a and b's bits, or
// returns "".
func lowFormDiff(a, b *lowForm) string {
	switch {
	case a.prec != b.prec || a.kp != b.kp:
		return "precision or row stride differ"
	case !slices.Equal(a.bf, b.bf):
		return "bf16 values differ"
	case !slices.Equal(a.q, b.q) || !slices.Equal(a.sum, b.sum):
		return "int8 values differ"
	}
	for j := range a.sw {
		if math.Float32bits(a.sw[j]) != math.Float32bits(b.sw[j]) {
			return "int8 row scales differ"
		}
	}
	return ""
}

// TestSwapPairs checks swapPairs, which turns a bf16 form's pairs over
// (pairOrder), on every ISA: into another slice, leaving src and the
// values past dst as they were, and in place, for lengths around the
// AVX-512 loop's 32 values.
func TestSwapPairs(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, n := range []int{0, 2, 30, 32, 34, 62, 64, 66, 96, 130} {
			src := make([]uint16, n+3) // [n] values, then 3 past the end
			for i := range src {
				src[i] = uint16(r.Uint32())
			}
			want := slices.Clone(src[:n]) // [n]
			for i := 0; i < n; i += 2 {
				want[i], want[i+1] = src[i+1], src[i]
			}
			orig := slices.Clone(src)
			dst := make([]uint16, n+3) // [n] results, then 3 guards
			for i := range dst {
				dst[i] = 0xdead
			}
			swapPairs(dst[:n], src)
			if !slices.Equal(dst[:n], want) || !slices.Equal(dst[n:], []uint16{0xdead, 0xdead, 0xdead}) || !slices.Equal(src, orig) {
				t.Fatalf("n %d: dst %x, want %x then 3 dead; src changed: %v", n, dst, want, !slices.Equal(src, orig))
			}
			swapPairs(src[:n], src[:n])
			if !slices.Equal(src[:n], want) || !slices.Equal(src[n:], orig[n:]) {
				t.Fatalf("n %d in place: %x, want %x then %x", n, src, want, orig[n:])
			}
		}
	})
}

// TestSetRowsRange checks that rows outside the operand, or an operand
// not made by NewLowB, are refused.
func TestSetRowsRange(t *testing.T) {
	for name, f := range map[string]func(){
		"past the end": func() { NewLowB(BF16, 2, 2).SetRows(1, make([]float32, 4), 2, 2) },
		"negative row": func() { NewLowB(Int8, 2, 2).SetRowsBF16(-1, make([]byte, 4), 1) },
		"float32":      func() { PackB(make([]float32, 4), 2, 2, 2).SetRows(0, make([]float32, 4), 2, 2) },
		"FP32 NewLowB": func() { NewLowB(FP32, 2, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
