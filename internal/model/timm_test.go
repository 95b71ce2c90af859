package model

import (
	"strings"
	"testing"
)

// TestTimmClassifierTags counts the pretrained timm classifier tags whose
// architecture Load accepts, from timm_archs.json, and checks that every
// refusal names what is missing. The count may only grow: minSupported is
// what the features checked by the golden fixtures cover.
func TestTimmClassifierTags(t *testing.T) {
	const minSupported = 268
	tags := TimmClassifierTags()
	supported := 0
	reasons := map[string]int{}
	for _, s := range tags {
		if s.Reason == "" {
			supported++
			continue
		}
		if !strings.Contains(s.Reason, "unsupported") {
			t.Errorf("%s: refused with %q, which does not name an unsupported feature", s.Tag, s.Reason)
		}
		reasons[s.Reason]++
	}
	t.Logf("timm %s (%s): %d of %d pretrained classifier tags supported", timmReg().Version, timmReg().Commit, supported, len(tags))
	for r, n := range reasons {
		t.Logf("%3d refused: %s", n, r)
	}
	if supported < minSupported {
		t.Errorf("%d of %d tags supported, want at least %d", supported, len(tags), minSupported)
	}
}

func TestPrefixTokens(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "1 class token"},
		{Config{Distilled: true}, "class and distillation tokens"},
		{Config{RegTokens: 4}, "class token and 4 registers"},
		{Config{NoClassToken: true, RegTokens: 1}, "1 register"},
		{Config{NoClassToken: true}, "no prefix token"},
	} {
		if got := c.cfg.PrefixTokens(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.cfg, got, c.want)
		}
	}
}
