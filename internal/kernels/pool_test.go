package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPoolFor(t *testing.T) {
	for _, threads := range []int{1, 2, 3, 8} {
		p := NewPool(threads)
		if p.Threads() != threads {
			t.Fatalf("Threads() = %d, want %d", p.Threads(), threads)
		}
		for _, n := range []int{0, 1, 2, 3, 7, 100} {
			hits := make([]int32, n)
			var calls atomic.Int32
			p.For(n, func(lo, hi int) {
				calls.Add(1)
				if lo >= hi {
					t.Errorf("empty range [%d, %d)", lo, hi)
				}
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&hits[i], 1)
				}
			})
			for i, h := range hits {
				if h != 1 {
					t.Fatalf("threads %d n %d: item %d run %d times", threads, n, i, h)
				}
			}
			if want := int32(min(threads, n)); calls.Load() != want {
				t.Fatalf("threads %d n %d: %d ranges, want %d", threads, n, calls.Load(), want)
			}
		}
		p.Close()
		p.Close() // idempotent
		ran := 0
		p.For(5, func(lo, hi int) { ran += hi - lo }) // after Close: serial
		if ran != 5 {
			t.Fatalf("For after Close ran %d items", ran)
		}
	}
	var nilPool *Pool
	ran := 0
	nilPool.For(4, func(lo, hi int) { ran += hi - lo })
	if ran != 4 || nilPool.Threads() != 1 {
		t.Fatalf("nil pool: ran %d, threads %d", ran, nilPool.Threads())
	}
}

// TestPoolConcurrentCallers checks that calls from several goroutines on
// one Pool are serialized and all complete.
func TestPoolConcurrentCallers(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	var wg sync.WaitGroup
	var total atomic.Int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := 0; it < 50; it++ {
				p.For(10, func(lo, hi int) { total.Add(int64(hi - lo)) })
			}
		}()
	}
	wg.Wait()
	if total.Load() != 4*50*10 {
		t.Fatalf("total %d", total.Load())
	}
}

func TestPoolNoAllocs(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	fn := func(lo, hi int) {}
	if n := testing.AllocsPerRun(100, func() { p.For(8, fn) }); n != 0 {
		t.Errorf("For allocates %v times per call", n)
	}
	w := PackB(make([]float32, 64*48), 64, 48, 48)
	a := make([]float32, 37*48) // [m, 48]
	c := make([]float32, 37*64) // [m, 64]
	// m = 37 ends in a 5-token panel, which runs the 8-wide kernel.
	for _, m := range []int{20, 37} {
		Linear(p, m, a, 48, w, nil, ActGELU, false, c, 64)
		if n := testing.AllocsPerRun(20, func() { Linear(p, m, a, 48, w, nil, ActGELU, false, c, 64) }); n != 0 {
			t.Errorf("Linear (m=%d) allocates %v times per call", m, n)
		}
	}

	// The kernels of an encoder block on token panels, on 37 tokens (a
	// 5-token last panel) of width 64 (2 heads of 32).
	const m, d = 37, 64
	var x, h, qkv, att, kv Panels // [m, d], [m, d], [m, 3d], [m, d], [m, 2d]
	x.Pack(m, d, make([]float32, m*d), d)
	gamma, beta := make([]float32, d), make([]float32, d) // [d]
	wQKV := PackB(make([]float32, 3*d*d), 3*d, d, d)      // [3d, d]
	wKV := wQKV.RowRange(d, 3*d)                          // [2d, d]
	wOut := PackB(make([]float32, d*d), d, d, d)          // [d, d]
	q, out := make([]float32, d), make([]float32, d)      // [1, d]
	for _, k := range []struct {
		name string
		fn   func()
	}{
		{"LayerNormPanels", func() { LayerNormPanels(p, &x, gamma, beta, 1e-6, &h) }},
		{"LinearToPanels", func() { LinearToPanels(p, &h, wQKV, nil, ActNone, &qkv) }},
		{"AttentionPanels", func() { AttentionPanels(p, 1, m, 2, d/2, &qkv, &att) }},
		{"LinearPanelsAdd", func() { LinearPanelsAdd(p, &att, wOut, nil, &x) }},
		{"AttentionPrefix", func() {
			LinearToPanels(p, &h, wKV, nil, ActNone, &kv)
			AttentionPrefix(p, 1, m, 1, 2, d/2, q, &kv, out)
		}},
	} {
		k.fn() // sizes the buffers
		if n := testing.AllocsPerRun(20, k.fn); n != 0 {
			t.Errorf("%s allocates %v times per call", k.name, n)
		}
	}
}

func TestFMAPeak(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	forEachISA(t, func(t *testing.T) {
		g := FMAPeak(p, 5*time.Millisecond)
		if currentISA() == isaGeneric {
			if g != 0 {
				t.Errorf("generic FMAPeak = %v, want 0", g)
			}
			return
		}
		if g <= 0 || g > 1e5 {
			t.Errorf("FMAPeak = %v GFLOP/s", g)
		}
		t.Logf("%s FMA peak on 2 workers: %.1f GFLOP/s", currentISA(), g)
	})
}

// TestPoolClaim hands out n tasks among nw workers with claim, the
// workers racing (and one slower than the rest, so that the others take
// from its share): every task once, except each share's last, handed out
// as parts 0…parts−1 once each, and ownLeft false for every worker at
// the end.
func TestPoolClaim(t *testing.T) {
	for nw := 1; nw <= 5; nw++ {
		p := NewPool(nw)
		defer p.Close()
		for n := nw; n <= 13; n++ {
			for parts := 1; parts <= 4; parts++ {
				p.startShares(nw)
				var mu sync.Mutex
				got := map[[2]int]int{} // (task, part) → times handed out
				var wg sync.WaitGroup
				for w := range nw {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							task, part, tparts, ok := p.claim(w, nw, n, parts)
							if !ok {
								return
							}
							if w == 0 {
								time.Sleep(10 * time.Microsecond)
							}
							mu.Lock()
							got[[2]int{task, part}]++
							last := false // the last task of its share
							for v := range nw {
								_, end := split(n, nw, v)
								last = last || task == end-1
							}
							if last && tparts != parts || !last && tparts != 1 {
								t.Errorf("nw %d n %d parts %d: task %d in %d parts", nw, n, parts, task, tparts)
							}
							if lo, end := split(n, nw, shareOf(n, nw, task)); task < lo || task >= end {
								t.Errorf("nw %d n %d: task %d not in its shareOf's share [%d, %d)", nw, n, task, lo, end)
							}
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				want := 0
				for v := range nw {
					lo, end := split(n, nw, v)
					for task := lo; task < end; task++ {
						np := 1
						if task == end-1 {
							np = parts
						}
						for part := range np {
							want++
							if c := got[[2]int{task, part}]; c != 1 {
								t.Errorf("nw %d n %d parts %d: task %d part %d handed out %d times", nw, n, parts, task, part, c)
							}
						}
					}
					if p.ownLeft(v, nw, n, parts) {
						t.Errorf("nw %d n %d parts %d: worker %d's share not used up", nw, n, parts, v)
					}
				}
				if len(got) != want {
					t.Errorf("nw %d n %d parts %d: %d tasks and parts handed out, want %d", nw, n, parts, len(got), want)
				}
			}
		}
	}
}
