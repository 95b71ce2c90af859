package model

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInspect: the header-only counts equal what a full Load finds, for
// every fixture layout.
func TestInspect(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(fixtures, "*", "config.json"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, cfgPath := range dirs {
		dir := filepath.Dir(cfgPath)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			m, err := Load(dir, Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			params, classes, err := Inspect(os.DirFS(dir), ".")
			if err != nil {
				t.Fatal(err)
			}
			if params != m.Params() || classes != m.Config.NumClasses {
				t.Errorf("Inspect: %d params, %d classes; Load: %d, %d", params, classes, m.Params(), m.Config.NumClasses)
			}
		})
	}
}

// TestInspectErrors: a missing checkpoint leaves params unknown and says so.
func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(fixtures, "hf-vit-tiny", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	params, classes, err := Inspect(os.DirFS(dir), ".")
	if err == nil || params != -1 || classes <= 0 {
		t.Fatalf("got %d params, %d classes, err %v; want -1, the config's classes, an error", params, classes, err)
	}
}
