package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// job is one data-parallel call handed to the workers of a Pool. run is
// called once per worker w that has work, with its contiguous range
// [lo, hi) of the call's n items. Jobs are pointers to structs kept in the
// Pool or in the caller, so handing one out does not allocate.
type job interface {
	run(w, lo, hi int)
}

// funcJob adapts the fn of For to a job.
type funcJob func(lo, hi int)

func (f funcJob) run(_, lo, hi int) { f(lo, hi) }

// Pool runs data-parallel work on a fixed number of goroutines started once
// by NewPool. Worker 0 is the calling goroutine; workers 1..threads-1 spin
// briefly on the call counter after each call (a forward pass issues the
// next call within microseconds) and then sleep on their own channel.
// Calls on one Pool are serialized, so a Pool may be shared, but two calls
// never overlap.
//
// A nil *Pool runs everything on the calling goroutine.
type Pool struct {
	threads int
	mu      sync.Mutex      // held for a whole kernel call (For, Linear, the attention and LayerNorm kernels)
	wake    []chan struct{} // [threads] wake[w] starts worker w (w ≥ 1) when it sleeps
	done    chan struct{}   // wakes the caller when the last worker finishes
	cur     job             // the job being run
	n       int             // its item count
	closed  bool

	call     atomic.Uint64 // call number << 16 | workers taking part (0: stop)
	pending  atomic.Int32  // workers still running the current call
	sleeping []atomic.Bool // [threads] worker w sleeps on wake[w]
	waiting  atomic.Uint64 // number of the call whose caller sleeps on done, or 0

	scratch []workerScratch // [threads] per-worker buffers, grown on demand
	packX   []float32       // Linear's activations packed into token panels
	gemm    gemmJob         // the Linear call in progress
	low     lowJob          // the Linear call in progress on a bf16 or int8 W
	lowIn   lowInput        // MLPPanelsAdd: fc1's output, converted to fc2's input
	ln      lnJob           // the LayerNormPanels call in progress
	attp    attPanelsJob    // the AttentionPanels call in progress
	attq    attPrefixJob    // the AttentionPrefix call in progress
	trace   *CallTrace      // the call's record with the vittrace tag, else nil
}

// workerScratch holds the buffers one worker reuses from call to call.
type workerScratch struct {
	yt    []float32    // Linear: a task's transposed output tiles
	wcopy []float32    // Linear: a W micro-panel copied to a padded stride
	attp  []float32    // AttentionPanels: Vᵀ, one Q panel, scores, an output tile; AttentionPrefix: scores
	task  atomic.Int64 // the next task of this worker's share, counted from its start (claim)
	_     [64]byte     // keeps neighbouring workers' tiles off a shared cache line
}

// NewPool returns a pool of threads workers (threads ≤ 0 means all CPUs).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	threads = min(threads, 1<<16-1) // the worker count shares a word with the call number
	p := &Pool{
		threads:  threads,
		wake:     make([]chan struct{}, threads),
		done:     make(chan struct{}, 1),
		scratch:  make([]workerScratch, threads),
		sleeping: make([]atomic.Bool, threads),
	}
	for w := 1; w < threads; w++ {
		p.wake[w] = make(chan struct{}, 1)
		go p.worker(w)
	}
	return p
}

// spinLimit is how many times a waiting goroutine polls before sleeping
// (each poll yields the processor: about 60 ns, so 0.1 ms in all).
const spinLimit = 2000

func (p *Pool) worker(w int) {
	var last uint64 // call number of the last call seen
	for {
		slept := false // for the vittrace record
		c := p.call.Load()
		for i := 0; c>>16 == last && i < spinLimit; i++ {
			runtime.Gosched()
			c = p.call.Load()
		}
		if c>>16 == last {
			p.sleeping[w].Store(true)
			if c = p.call.Load(); c>>16 == last || !p.sleeping[w].Swap(false) {
				<-p.wake[w] // the caller saw us asleep and sends a token
				slept = true
				c = p.call.Load()
			}
			if c>>16 == last {
				// A token without a new call (left by an earlier call's
				// wake-up race): never run a call twice, look again.
				continue
			}
		}
		last = c >> 16
		active := int(c & 0xffff)
		if active == 0 {
			return // closed
		}
		if w >= active {
			continue
		}
		lo, hi := split(p.n, active, w)
		var tr *CallTrace
		if traceOn {
			tr = p.trace
		}
		if tr != nil {
			tr.Begin[w], tr.Slept[w] = traceNow(), slept
		}
		p.cur.run(w, lo, hi)
		if tr != nil {
			tr.End[w] = traceNow()
		}
		// Only the caller of this very call may be woken: a worker that
		// finished the previous call may get here after its caller saw
		// pending reach 0, returned and started waiting on the next one.
		if p.pending.Add(-1) == 0 && p.waiting.CompareAndSwap(last, 0) {
			p.done <- struct{}{}
		}
	}
}

// split returns worker w's share of n items divided among t workers.
func split(n, t, w int) (lo, hi int) {
	return w * n / t, (w + 1) * n / t
}

// shareOf returns the worker whose share (split) of n items divided
// among t ≤ n workers holds item i: the last w with w·n/t ≤ i.
func shareOf(n, t, i int) int {
	return ((i+1)*t - 1) / n
}

// startShares readies the shares of a call's tasks among its first nw
// workers for claim: each worker's counter at the start of its share.
func (p *Pool) startShares(nw int) {
	for w := range nw {
		p.scratch[w].task.Store(0)
	}
}

// claim hands worker w its next task t of n tasks split among nw ≤ n
// workers in contiguous shares (split): the next of its own share, else
// the next left in the others' shares in turn. Each worker so works
// through its own neighbouring tasks (W blocks side by side, heads side
// by side) and one slowed by other processes is relieved of the rest of
// its share. A share's last task is handed out in parts parts (part
// 0…parts−1, each once, with parts as given; parts 1 for the others), so
// that a worker done with its share waits for at most a part of
// another's. ok is false when none is left.
func (p *Pool) claim(w, nw, n, parts int) (t, part, tparts int, ok bool) {
	for i := range nw {
		v := (w + i) % nw
		lo, end := split(n, nw, v)
		whole := end - lo - 1 // the tasks before the share's last
		switch k := int(p.scratch[v].task.Add(1) - 1); {
		case k < whole:
			return lo + k, 0, 1, true
		case k < whole+parts:
			return lo + whole, k - whole, parts, true
		}
	}
	return 0, 0, 0, false
}

// ownLeft reports whether worker w's own share (claim) has tasks left.
func (p *Pool) ownLeft(w, nw, n, parts int) bool {
	lo, end := split(n, nw, w)
	return int(p.scratch[w].task.Load()) < end-lo-1+parts
}

// Threads reports the number of workers.
func (p *Pool) Threads() int {
	if p == nil {
		return 1
	}
	return p.threads
}

// Close stops the workers. Later calls run on the calling goroutine.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.call.Store((p.call.Load()>>16 + 1) << 16) // zero workers: stop
	for w := 1; w < p.threads; w++ {
		if p.sleeping[w].Swap(false) {
			p.wake[w] <- struct{}{}
		}
	}
}

// For calls fn over [0, n) split into contiguous ranges, one per worker,
// and waits for all of them.
func (p *Pool) For(n int, fn func(lo, hi int)) {
	if p == nil {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.run(n, funcJob(fn))
}

// run is For for callers that already hold p.mu (or own a nil pool): it
// splits [0, n) into min(threads, n) contiguous ranges and runs j on them,
// worker 0 on the calling goroutine.
func (p *Pool) run(n int, j job) {
	if n <= 0 {
		return
	}
	t := p.workers()
	if t > n {
		t = n
	}
	if traceOn && p != nil {
		p.trace = traceStart(j, n, max(t, 1))
	}
	if t <= 1 {
		p.traceRun(j, 0, 0, n)
		p.traceDone()
		return
	}
	p.cur, p.n = j, n
	p.pending.Store(int32(t - 1))
	call := p.call.Load()>>16 + 1
	p.call.Store(call<<16 | uint64(t))
	for w := 1; w < t; w++ {
		if p.sleeping[w].Swap(false) {
			p.wake[w] <- struct{}{}
		}
	}
	lo, hi := split(n, t, 0)
	p.traceRun(j, 0, lo, hi)
	for i := 0; p.pending.Load() != 0 && i < spinLimit; i++ {
		runtime.Gosched()
	}
	if p.pending.Load() != 0 {
		p.waiting.Store(call)
		if p.pending.Load() != 0 || !p.waiting.CompareAndSwap(call, 0) {
			<-p.done // the last worker saw us waiting and sends a token
		}
	}
	p.traceDone()
	p.cur = nil
}

// traceDone closes the call's record (the vittrace tag).
func (p *Pool) traceDone() {
	if traceOn && p != nil && p.trace != nil {
		p.trace.Done, p.trace = traceNow(), nil
	}
}

// traceRun is j.run(w, lo, hi) on the calling goroutine, recorded with
// the vittrace tag.
func (p *Pool) traceRun(j job, w, lo, hi int) {
	if traceOn && p != nil && p.trace != nil {
		p.trace.Begin[w] = traceNow()
		j.run(w, lo, hi)
		p.trace.End[w] = traceNow()
		return
	}
	j.run(w, lo, hi)
}

// workers is the number of goroutines a call may use.
func (p *Pool) workers() int {
	if p == nil || p.closed {
		return 1
	}
	return p.threads
}

// lock takes the pool for one kernel call; a nil pool needs no lock.
func (p *Pool) lock() {
	if p != nil {
		p.mu.Lock()
	}
}

func (p *Pool) unlock() {
	if p != nil {
		p.mu.Unlock()
	}
}
