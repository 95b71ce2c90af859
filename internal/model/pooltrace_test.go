//go:build vittrace

package model

import (
	"sort"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/kernels"
)

// TestPoolTrace breaks the time of a ViT-B/16 forward pass at batch 1 on
// 2 threads down by Pool call: per kind of call, its wall time, the time
// its two workers did not both work (a worker's late start: waking; one
// ending before the other: imbalance), and its work beside the same
// call's time on 1 thread (how much slower each worker runs when both
// do); and the serial time between calls. Medians over forwards, in ms.
//
//	go test -tags vittrace -run PoolTrace -v ./internal/model
func TestPoolTrace(t *testing.T) {
	const rounds = 21
	pix := make([]float32, 3*224*224) // [B, C, H, W]
	for i := range pix {
		pix[i] = float32(i%255)/127.5 - 1
	}
	logits := make([]float32, 1000)
	med := func(x []float64) float64 {
		if len(x) == 0 {
			return 0
		}
		sort.Float64s(x)
		return x[len(x)/2]
	}
	ms := func(d int64) float64 { return float64(d) / 1e6 }
	for _, prec := range []kernels.Precision{kernels.FP32, kernels.Int8} {
		var models [2]*Model // 1 and 2 threads
		for i := range models {
			m, err := Random("vit-b16", 1, Options{Precision: prec, Threads: i + 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			models[i] = m
		}
		stat := map[string][]float64{} // name → a value per forward
		for r := -2; r < rounds; r++ { // 2 warm-up rounds
			for i, m := range models {
				kernels.TracePool(true)
				t0 := time.Now()
				m.Forward(pix, 1, 224, 224, logits)
				wall := float64(time.Since(t0)) / 1e6
				calls := kernels.TracePool(false)
				if r < 0 {
					continue
				}
				v := map[string]float64{}
				var in float64
				for _, c := range calls {
					d := ms(c.Done - c.Start)
					in += d
					if i == 0 {
						v["1 thread  "+c.Kind] += d
						continue
					}
					v["wall      "+c.Kind] += d
					if len(c.Begin) < 2 {
						v["work      "+c.Kind] += d
						continue
					}
					v["work      "+c.Kind] += ms(c.End[0] - c.Begin[0] + c.End[1] - c.Begin[1])
					v["wake      "+c.Kind] += ms(c.Begin[1] - c.Start)
					v["imbalance "+c.Kind] += ms(max(c.End[0]-c.End[1], c.End[1]-c.End[0]))
					if c.Slept[1] {
						v["sleeps"]++
					}
					v["calls"]++
				}
				if i == 0 {
					v["1 thread  forward"] = wall
				} else {
					v["forward"], v["serial"] = wall, wall-in
				}
				for k, x := range v {
					stat[k] = append(stat[k], x)
				}
			}
		}
		names := make([]string, 0, len(stat))
		for k := range stat {
			names = append(names, k)
		}
		sort.Strings(names)
		t.Logf("%v, batch 1, 2 threads, medians of %d forwards (ms; wake, imbalance: summed over the calls)", prec, rounds)
		for _, k := range names {
			t.Logf("  %-40s %9.3f", k, med(stat[k]))
		}
	}
}
