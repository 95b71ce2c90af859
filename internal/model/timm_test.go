package model

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTimmClassifierTags counts the pretrained timm classifier tags whose
// architecture Load accepts, from timm_archs.json, and checks that every
// refusal names what is missing. The count may only grow: minSupported is
// what the features checked by the golden fixtures cover.
func TestTimmClassifierTags(t *testing.T) {
	const minSupported = 274
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

// TestTimmConfigOutOfRange: model_args that would size buffers from the
// config alone are refused with an error, not a panic.
func TestTimmConfigOutOfRange(t *testing.T) {
	for _, args := range []string{`{"reg_tokens": -3}`, `{"reg_tokens": 100000}`, `{"depth": 5000}`, `{"num_heads": 0}`, `{"mlp_ratio": -1}`} {
		var ma map[string]json.RawMessage
		if err := json.Unmarshal([]byte(args), &ma); err != nil {
			t.Fatal(err)
		}
		c, err := parseTimmConfig(&configJSON{Architecture: "vit_base_patch16_reg4_gap_256", ModelArgs: ma})
		if err == nil {
			err = c.check()
		}
		if err == nil {
			t.Errorf("model_args %s: accepted", args)
		}
	}
}
