//go:build ignore

// gelu_fit prints the coefficients of geluLow (internal/kernels/gelulow.go):
// for each of the 16 intervals [i/2, (i+1)/2) of |x| ∈ [0, 8), the degree-5
// polynomial in t ∈ [0, 1] that fits Φ(i/2 + t/2) best in least squares on
// 200 Chebyshev nodes, in float64, rounded to float32, as the literal of
// geluLowBits.
//
// Every multiply-add is rounded in two steps (explicit conversions stop Go
// from fusing them), so the table comes out the same on every
// architecture whose math package does: amd64's, where it was made.
//
//	go run scripts/gelu_fit.go
package main

import (
	"fmt"
	"math"
)

const (
	intervals = 16
	degree    = 5
	nodes     = 200
)

// phi is the standard normal CDF.
func phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// fit returns the coefficients c0…c5 of interval i: the solution of the
// normal equations by Gauss-Jordan elimination with partial pivoting.
func fit(i int) [degree + 1]float64 {
	const m = degree + 1
	var a [m][m + 1]float64 // [m][m | right-hand side]
	for k := 0; k < nodes; k++ {
		t := 0.5 - 0.5*math.Cos(math.Pi*(float64(k)+0.5)/nodes)
		y := phi(0.5 * (float64(i) + t))
		for r := 0; r < m; r++ {
			for c := 0; c < m; c++ {
				a[r][c] += math.Pow(t, float64(r+c))
			}
			a[r][m] += float64(math.Pow(t, float64(r)) * y)
		}
	}
	for c := 0; c < m; c++ {
		p := c
		for r := c + 1; r < m; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < m; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k <= m; k++ {
					a[r][k] -= float64(f * a[c][k])
				}
			}
		}
	}
	var co [m]float64
	for r := range co {
		co[r] = a[r][m] / a[r][r]
	}
	return co
}

func main() {
	var tab [degree + 1][intervals]uint32
	for i := 0; i < intervals; i++ {
		co := fit(i)
		for d, c := range co {
			tab[d][i] = math.Float32bits(float32(c))
		}
	}
	fmt.Println("var geluLowBits = [6][16]uint32{")
	for d := range tab {
		fmt.Printf("\t{ // c%d\n", d)
		for i := 0; i < intervals; i += 4 {
			fmt.Printf("\t\t%#08x, %#08x, %#08x, %#08x,\n", tab[d][i], tab[d][i+1], tab[d][i+2], tab[d][i+3])
		}
		fmt.Println("\t},")
	}
	fmt.Println("}")
}
