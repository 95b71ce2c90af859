package kernels

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/rusage"
)

// BenchmarkInt8Fusions times the int8 Linear layers of a ViT-B/16
// encoder with the LayerNorms before them (12 blocks of distinct
// weights: ln1 → qkv, ln2 → fc1 → GELU → fc2 added to x; no attention)
// as separate calls and with the LayerNorms run inside the Linear
// calls' conversion (normed). The variants take turns within each
// iteration, in a rotating order, so that the load of a shared machine
// falls on all of them alike; each reports its CPU time per image and
// its ratio to the separate calls.
func BenchmarkInt8Fusions(b *testing.B) { benchFusions(b, Int8) }

// BenchmarkBF16Fusions is BenchmarkInt8Fusions on bf16 weights, on
// each of the CPU's bf16 kernels (BF16Kernels).
func BenchmarkBF16Fusions(b *testing.B) {
	for _, k := range BF16Kernels() {
		b.Run(k, func(b *testing.B) {
			defer SetBF16Kernel(k)()
			benchFusions(b, BF16)
		})
	}
}

func benchFusions(b *testing.B, prec Precision) {
	const d, f, blocks, eps = 768, 3072, 12, 1e-6
	type block struct {
		qkv, fc1, fc2      *PackedB  // prec [3D, D], [F, D], [D, F]
		g1, b1, g2, b2, bo []float32 // [D] norms, fc2's bias
		bq                 []float32 // [3D]
		bf                 []float32 // [F]
	}
	r := rand.New(rand.NewPCG(1, 2))
	bs := make([]block, blocks)
	for i := range bs {
		bs[i] = block{
			qkv: PackB(randVals(r, 3*d*d, 0.04, 0), 3*d, d, d).Convert(prec),
			fc1: PackB(randVals(r, f*d, 0.04, 0), f, d, d).Convert(prec),
			fc2: PackB(randVals(r, d*f, 0.02, 0), d, f, f).Convert(prec),
			g1:  randVals(r, d, 0.2, 1), b1: randVals(r, d, 0.1, 0),
			g2: randVals(r, d, 0.2, 1), b2: randVals(r, d, 0.1, 0),
			bo: randVals(r, d, 0.1, 0), bq: randVals(r, 3*d, 0.1, 0), bf: randVals(r, f, 0.1, 0),
		}
	}
	p := NewPool(runtime.GOMAXPROCS(0))
	defer p.Close()
	var x, h, qkv, mlp Panels // [M, D], [M, D], [M, 3D], [M, F] token panels
	variants := []struct {
		name string
		run  func(k *block)
	}{
		{"separate", func(k *block) {
			LayerNormPanels(p, &x, k.g1, k.b1, eps, &h)
			LinearToPanels(p, &h, k.qkv, k.bq, ActNone, &qkv)
			LayerNormPanels(p, &x, k.g2, k.b2, eps, &h)
			LinearToPanels(p, &h, k.fc1, k.bf, ActGELU, &mlp)
			LinearPanelsAdd(p, &mlp, k.fc2, k.bo, &x)
		}},
		{"normed", func(k *block) {
			LinearToPanelsNormed(p, &x, Norm{k.g1, k.b1, eps}, &h, k.qkv, k.bq, ActNone, &qkv)
			LinearToPanelsNormed(p, &x, Norm{k.g2, k.b2, eps}, &h, k.fc1, k.bf, ActGELU, &mlp)
			LinearPanelsAdd(p, &mlp, k.fc2, k.bo, &x)
		}},
	}
	for _, batch := range []int{1, 8} {
		b.Run(fmt.Sprintf("b%d", batch), func(b *testing.B) {
			m := batch * 197
			x0 := randVals(r, m*d, 1, 0) // [M, D]
			cpu := make([]time.Duration, len(variants))
			for _, v := range variants { // untimed: bf16 forms take the kernel's pair order
				x.Pack(m, d, x0, d)
				for l := range bs {
					v.run(&bs[l])
				}
			}
			n := 0
			for b.Loop() {
				for i := range variants {
					v := (i + n) % len(variants)
					x.Pack(m, d, x0, d)
					c0 := rusage.CPUTime()
					for l := range bs {
						variants[v].run(&bs[l])
					}
					cpu[v] += rusage.CPUTime() - c0
				}
				n++
			}
			for v, vr := range variants {
				ms := float64(cpu[v]) / 1e6 / float64(n) / float64(batch)
				b.ReportMetric(ms, vr.name+"-cpu-ms/image")
				if v > 0 {
					b.ReportMetric(float64(cpu[v])/float64(cpu[0]), vr.name+"/separate")
				}
			}
		})
	}
}
