package classify_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/classify/classifytest"
	"github.com/vitgo/vit/internal/preprocess"
)

// cancelFake cancels the run while preparing an input named "*stop*" and
// then waits, as a long decode would, for the limits' context to stop it.
type cancelFake struct {
	*classifytest.Fake
	cancel context.CancelFunc
}

func (f cancelFake) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	if !strings.Contains(name, "stop") {
		return f.Fake.Prepare(name, r, lim, input)
	}
	f.cancel()
	if lim.Context == nil {
		return errors.New("no context in the limits: the decode cannot be stopped")
	}
	select {
	case <-lim.Context.Done():
	case <-time.After(5 * time.Second):
		return errors.New("the limits' context was not canceled with the run")
	}
	_, err := preprocess.Decode(name, r, lim) // fails with ErrCanceled
	return err
}

// TestRunCanceledDecode: a decode stopped by the interrupt is not an
// error record; the run ends with the context's error and the records
// before it.
func TestRunCanceledDecode(t *testing.T) {
	d := t.TempDir()
	paths := writeImages(t, d, 3)
	stop := filepath.Join(d, "stop.png")
	classifytest.WritePNG(t, stop, 4, 4, 9)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out collect
	_, err := classify.Run(ctx, cancelFake{&classifytest.Fake{}, cancel},
		classify.Inputs{Paths: append(paths, stop)}, classify.Options{TopK: 1, Workers: 1, BatchSize: 1}, &out)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v, want context.Canceled", err)
	}
	for _, r := range out.recs {
		if r.Err != nil || r.Path == stop {
			t.Errorf("record %s (%v): the interrupted input must have no record", r.Path, r.Err)
		}
	}
}

// TestRunOverBudget: an image over Options.MaxMemory fails alone, with a
// record naming the need, the limit and the option that raises it; the
// other inputs are classified.
func TestRunOverBudget(t *testing.T) {
	d := t.TempDir()
	big := filepath.Join(d, "big.png")
	classifytest.WritePNG(t, big, 2000, 2000, 1)
	small := filepath.Join(d, "small.png")
	classifytest.WritePNG(t, small, 6, 6, 2)
	var out collect
	sum, err := classify.Run(context.Background(), &classifytest.Fake{},
		classify.Inputs{Paths: []string{big, small}},
		classify.Options{TopK: 1, MaxMemory: 1 << 20}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inputs != 2 || sum.Failed != 1 || len(out.recs) != 2 {
		t.Fatalf("summary %+v, %d records: want 2 records, 1 failed", sum, len(out.recs))
	}
	r := out.recs[0]
	if !errors.Is(r.Err, preprocess.ErrOverBudget) {
		t.Fatalf("%s: %v, want an over-budget error", r.Path, r.Err)
	}
	msg := classify.ErrorText(r.Path, r.Err)
	if !strings.Contains(msg, "limit 1 MiB") || !strings.HasSuffix(msg, "; raise --max-image-memory") {
		t.Errorf("record error %q: want the limit and a closing \"; raise --max-image-memory\"", msg)
	}
	if out.recs[1].Err != nil || out.recs[1].Path != small {
		t.Errorf("second record %s: %v, want %s classified", out.recs[1].Path, out.recs[1].Err, small)
	}
}

// zeros is an endless stream of zero bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestFilesFromLongEntry: a --files-from entry longer than any path the
// system opens is an error record of its own, held to a bounded size,
// and the entries after it go on.
func TestFilesFromLongEntry(t *testing.T) {
	d := t.TempDir()
	good := writeImages(t, d, 1)[0]
	list := strings.Repeat("x", 100000) + "\n" + good + "\n"
	in := classify.Inputs{FilesFrom: "-", Stdin: io.MultiReader(strings.NewReader(list))}
	var out collect
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, in, classify.Options{TopK: 1}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.recs) != 2 {
		t.Fatalf("%d records, want 2", len(out.recs))
	}
	r := out.recs[0]
	if r.Err == nil || !strings.Contains(r.Err.Error(), "longer than 4096 bytes") || len(r.Path) > 100 {
		t.Errorf("long entry: path of %d bytes, error %v; want a short path and the limit", len(r.Path), r.Err)
	}
	if out.recs[1].Path != good || out.recs[1].Err != nil {
		t.Errorf("second record %s: %v, want %s classified", out.recs[1].Path, out.recs[1].Err, good)
	}
	// An endless entry (/dev/zero without -0): one record, then the rest of
	// it is skipped without holding it, up to a bounded end.
	out = collect{}
	in = classify.Inputs{FilesFrom: "-", Stdin: io.LimitReader(zeros{}, 16<<20)}
	if _, err := classify.Run(context.Background(), &classifytest.Fake{}, in, classify.Options{TopK: 1}, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.recs) != 1 || out.recs[0].Err == nil || len(out.recs[0].Path) > 100 {
		t.Errorf("16 MiB of zeros: %d records, want 1 short error record", len(out.recs))
	}
}

// TestFilesFromCanceled: a list of endless empty entries (/dev/zero with
// -0) or one endless entry (without) ends when the run is canceled.
func TestFilesFromCanceled(t *testing.T) {
	for _, null := range []bool{true, false} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			var out collect
			_, err := classify.Run(ctx, &classifytest.Fake{}, classify.Inputs{FilesFrom: "-", Null: null, Stdin: zeros{}},
				classify.Options{TopK: 1}, &out)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("-0 %v: Run %v, want context.Canceled", null, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("-0 %v: Run did not stop within 10 s of the cancel", null)
		}
	}
}

// panicFake panics preparing inputs named "*boom*" and in a forward pass
// of a batch holding one named "*fwdpanic*" (it marks those by a first
// input value of -1).
type panicFake struct{ *classifytest.Fake }

func (f panicFake) Prepare(name string, r io.Reader, lim preprocess.Limits, input []float32) error {
	if strings.Contains(name, "boom") {
		xs := []int{}
		xs[len(name)] = 1 // index out of range: a runtime panic
	}
	if err := f.Fake.Prepare(name, r, lim, input); err != nil {
		return err
	}
	if strings.Contains(name, "fwdpanic") {
		input[0] = -1
	}
	return nil
}

func (f panicFake) Forward(inputs []float32, b int, logits []float32) error {
	for i := range b {
		if inputs[i*16] == -1 {
			panic("forward went wrong")
		}
	}
	return f.Fake.Forward(inputs, b, logits)
}

// TestRunPanicIsRecord: a panic while preparing one input becomes that
// input's error record, one in a forward pass the records of that batch;
// the other inputs are classified.
func TestRunPanicIsRecord(t *testing.T) {
	d := t.TempDir()
	var paths []string
	for _, n := range []string{"a.png", "boom.png", "c.png", "fwdpanic.png", "e.png"} {
		p := filepath.Join(d, n)
		classifytest.WritePNG(t, p, 4, 4, len(paths))
		paths = append(paths, p)
	}
	var out collect
	sum, err := classify.Run(context.Background(), panicFake{&classifytest.Fake{}}, classify.Inputs{Paths: paths},
		classify.Options{TopK: 1, BatchSize: 1, Workers: 2}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.recs) != 5 || sum.Failed != 2 {
		t.Fatalf("%d records, %d failed; want 5 and 2", len(out.recs), sum.Failed)
	}
	for i, r := range out.recs {
		bad := strings.Contains(r.Path, "boom") || strings.Contains(r.Path, "fwdpanic")
		var pe *classify.PanicError
		if bad != errors.As(r.Err, &pe) {
			t.Errorf("record %d %s: %v", i, r.Path, r.Err)
		}
		if bad && !strings.Contains(classify.ErrorText(r.Path, r.Err), "internal error while") {
			t.Errorf("%s: %q", r.Path, classify.ErrorText(r.Path, r.Err))
		}
	}
}
