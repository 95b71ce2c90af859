package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitgo/vit/internal/classify/classifytest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/cli")

// goldenDir is testdata/cli, absolute because tests change directory.
var goldenDir = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "cli"))
	if err != nil {
		panic(err)
	}
	return p
}()

// testApp is an app with buffers for its streams and a fake model.
type testApp struct {
	*app
	out, err bytes.Buffer
	env      map[string]string
	fake     *classifytest.Fake
}

func newTestApp(stdin string) *testApp {
	t := &testApp{env: map[string]string{}, fake: &classifytest.Fake{}}
	t.app = newApp(strings.NewReader(stdin), &t.out, &t.err, func(k string) string { return t.env[k] })
	t.numCPU = 2
	t.openClassifier = func(ctx context.Context, a *app, spec string, opt modelOptions) (runModel, error) {
		if spec != "" && spec != "fake" {
			return nil, errors.New("no such model")
		}
		return t.fake, nil
	}
	t.openEmbedder = t.openClassifier
	return t
}

func (t *testApp) run(args ...string) int { return t.main(context.Background(), args) }

// checkGolden compares got with testdata/cli/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/vit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test ./cmd/vit -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

func writePNG(t testing.TB, path string, w, h, seed int) { classifytest.WritePNG(t, path, w, h, seed) }

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
