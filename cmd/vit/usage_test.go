package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestUsageGolden: unknown commands and help topics are usage errors
// (exit 2, one line and the hint on stderr, nothing on stdout), flags are
// suggested, flag values say what they want (testdata/cli/usage.golden).
func TestUsageGolden(t *testing.T) {
	var b strings.Builder
	for _, args := range [][]string{
		{"models", "lst"},
		{"help", "nosuch"},
		{"help", "models", "lst"},
		{"clasify", "x.png"},
		{"models", "inf"},
		{"classify", "--topk", "3", "x.png"},
		{"classify", "--hiden", "x.png"},
		{"embed", "--normalise", "x.png"},
		{"classify", "-k", "three", "x.png"},
		{"classify", "--max-pixels", "lots", "x.png"},
		{"classify", "-b", "0", "x.png"},
		{"bench", "--iter", "3"},
	} {
		ta := newTestApp("")
		code := ta.run(args...)
		fmt.Fprintf(&b, "$ vit %s\n%s--- exit %d\n\n", strings.Join(args, " "), ta.err.String(), code)
		if code != exitUsage || ta.out.Len() != 0 || strings.Count(ta.err.String(), "\n") != 2 {
			t.Errorf("vit %s: exit %d, stdout %q, stderr %q; want exit 2, one line and the hint on stderr", strings.Join(args, " "), code, ta.out.String(), ta.err.String())
		}
	}
	checkGolden(t, "usage.golden", []byte(b.String()))
}

// TestHelpAndVersion: help for a command, the group commands without a
// subcommand, and --version exit 0 on stdout.
func TestHelpAndVersion(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"help", "models", "list"}, "List the built-in models"},
		{[]string{"help"}, "Available Commands:"},
		{[]string{"models"}, "Available Commands:"},
		{[]string{}, "Available Commands:"},
		{[]string{"--version"}, "vit "},
		{[]string{"version"}, "kernels  "},
	} {
		ta := newTestApp("")
		code := ta.run(tt.args...)
		if code != exitOK || !strings.Contains(ta.out.String(), tt.want) || ta.err.Len() != 0 {
			t.Errorf("vit %s: exit %d, stdout %.80q, stderr %q", strings.Join(tt.args, " "), code, ta.out.String(), ta.err.String())
		}
	}
	ta := newTestApp("")
	ta.run("--version")
	if ta.out.String() != versionText() {
		t.Errorf("--version printed %q, want vit version's text", ta.out.String())
	}
}
