package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/vitgo/vit/internal/classify"
	"github.com/vitgo/vit/internal/hub"
	"github.com/vitgo/vit/internal/model"
)

// hubClient is a hub client configured from the environment (HF_ENDPOINT,
// HF_TOKEN, HF_HUB_CACHE/HF_HOME/XDG_CACHE_HOME, HF_HUB_OFFLINE) with a
// progress display on stderr.
func (a *app) hubClient(offline bool) (*hub.Client, *pullProgress) {
	c := hub.ClientFromEnv(a.getenv)
	c.Offline = c.Offline || offline
	p := &pullProgress{w: a.stderr, tty: a.stderrTTY}
	c.Progress = p.update
	return c, p
}

// openModel opens a model spec as classify.OpenModel resolves it, with
// Hugging Face ids found by resolveHub; a malformed spec is a usage error.
func (a *app) openModel(ctx context.Context, spec string, opt modelOptions) (*model.Model, classify.ModelSource, error) {
	hubDir := func(ctx context.Context, id string) (string, error) { return a.resolveHub(ctx, id, opt.Offline) }
	m, src, err := classify.OpenModel(ctx, spec, model.Options{Threads: opt.Threads, Precision: opt.Precision}, hubDir)
	if se := (*classify.SpecError)(nil); errors.As(err, &se) {
		err = usageError{err}
	}
	return m, src, err
}

// resolveHub finds ORG/NAME[@REV] in the Hugging Face cache, downloading it
// when missing unless offline.
func (a *app) resolveHub(ctx context.Context, spec string, offline bool) (string, error) {
	c, prog := a.hubClient(offline)
	dir, err := hub.Resolve(c.CacheDir, spec)
	if err == nil {
		return dir, nil
	}
	if !errors.Is(err, hub.ErrNotCached) {
		return "", err
	}
	if c.Offline {
		return "", fmt.Errorf("%w; offline (--offline or HF_HUB_OFFLINE), so not downloading: run `vit models pull %s` where the hub is reachable", err, spec)
	}
	fmt.Fprintf(a.stderr, "vit: %s is not in the cache %s; downloading from %s\n", spec, c.CacheDir, c.Endpoint)
	dir, err = c.Pull(ctx, spec)
	prog.finish()
	if err != nil {
		return "", err
	}
	return dir, nil
}

// pullProgress shows hub downloads on stderr: a byte progress bar per file
// on a terminal, else one line per downloaded file.
type pullProgress struct {
	w   io.Writer
	tty bool

	mu    sync.Mutex
	file  string
	bar   *progressbar.ProgressBar
	total int64
	done  int64
	files int // files fetched (not already cached)
}

func (p *pullProgress) update(file string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if file != p.file {
		p.endFile()
		p.file, p.total, p.done = file, total, 0
		if done == total && total >= 0 {
			// Already in the cache: nothing to show.
			p.file = ""
			return
		}
		p.files++
		if p.tty {
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(file),
				progressbar.OptionShowBytes(true),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionUseANSICodes(true),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
			)
		} else {
			fmt.Fprintf(p.w, "vit: downloading %s (%s)\n", file, classify.HumanBytes(total))
		}
	}
	if p.bar != nil && done > p.done {
		p.bar.Set64(done)
	}
	p.done = done
}

func (p *pullProgress) endFile() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

func (p *pullProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endFile()
}
