package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vitgo/vit/models"
)

// complete runs `vit __complete args...` and returns the candidates and
// the directive line.
func complete(t *testing.T, env map[string]string, args ...string) ([]string, string) {
	t.Helper()
	ta := newTestApp("")
	ta.env = env
	if code := ta.run(append([]string{"__complete"}, args...)...); code != exitOK {
		t.Fatalf("__complete %q: exit %d: %s", args, code, ta.err.String())
	}
	lines := strings.Split(strings.TrimSuffix(ta.out.String(), "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestModelCompletion: -m of classify and embed, vit models info's
// argument and bench -m offer the built-in models, cached ids, (bench)
// the named configurations and directories, filtered by what is typed,
// and never a directory-only directive that would hide the names.
func TestModelCompletion(t *testing.T) {
	t.Chdir(t.TempDir())
	cache := filepath.Join("cache", "hub")
	writeCachedModel(t, cache, "acme/tiny-vit", testCommit)
	os.MkdirAll("checkpoints/my-vit", 0o755)
	os.MkdirAll(".hidden", 0o755)
	os.WriteFile("notes.txt", nil, 0o644)
	env := map[string]string{"HF_HUB_CACHE": cache}
	const noFile, noFileNoSpace = ":4", ":6" // cobra's ShellCompDirective values
	for _, tt := range []struct {
		args      []string
		want      []string
		directive string
	}{
		{[]string{"classify", "-m", ""}, []string{models.Default, "acme/tiny-vit", "cache/", "checkpoints/"}, noFileNoSpace},
		{[]string{"embed", "--model", "ac"}, []string{"acme/tiny-vit"}, noFile},
		{[]string{"classify", "-m", "checkpoints/"}, []string{"checkpoints/my-vit/"}, noFileNoSpace},
		{[]string{"classify", "-m", "./ch"}, []string{"./checkpoints/"}, noFileNoSpace},
		{[]string{"classify", "-m", "."}, []string{".hidden/"}, noFileNoSpace},
		{[]string{"models", "info", "fa"}, []string{models.Default}, noFile},
		{[]string{"bench", "-m", "vit-"}, []string{"vit-b16", "vit-b32", "vit-l16", "vit-s16", "vit-ti16"}, noFile},
		{[]string{"classify", "--scores", ""}, []string{"prob", "softmax", "sigmoid", "logit"}, noFile},
		{[]string{"classify", "-f", ""}, []string{"text", "json", "jsonl", "csv", "tsv"}, noFile},
		{[]string{"embed", "-f", ""}, []string{"jsonl", "npy"}, noFile},
		{[]string{"help", "mo"}, []string{"models"}, noFile},
	} {
		got, dir := complete(t, env, tt.args...)
		slices.Sort(got)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(got, want) || dir != tt.directive {
			t.Errorf("%q: %q %s, want %q %s", tt.args, got, dir, want, tt.directive)
		}
	}
}
