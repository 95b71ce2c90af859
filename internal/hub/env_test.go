package hub

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestCacheDirFromEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"HOME": "/home/u"}, "/home/u/.cache/huggingface/hub"},
		{map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"}, "/xdg/huggingface/hub"},
		{map[string]string{"HOME": "/home/u", "XDG_CACHE_HOME": "/xdg", "HF_HOME": "/hf"}, "/hf/hub"},
		{map[string]string{"HOME": "/home/u", "HF_HOME": "~/hf"}, "/home/u/hf/hub"},
		{map[string]string{"HOME": "/home/u", "HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy"}, "/legacy"},
		{map[string]string{"HOME": "/home/u", "HF_HOME": "/hf", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HUB_CACHE": "/c"}, "/c"},
		{map[string]string{"HOME": "/home/u", "HF_HUB_CACHE": "~"}, "/home/u"},
		{map[string]string{"HOME": "/home/u", "HF_HUB_CACHE": "", "HF_HOME": ""}, "/home/u/.cache/huggingface/hub"},
	}
	for _, tc := range cases {
		if got := CacheDirFromEnv(envOf(tc.env)); got != filepath.FromSlash(tc.want) {
			t.Errorf("CacheDirFromEnv(%v) = %s, want %s", tc.env, got, tc.want)
		}
	}
}

func TestEnvHelpers(t *testing.T) {
	if got := EndpointFromEnv(envOf(nil)); got != "https://huggingface.co" {
		t.Errorf("default endpoint %s", got)
	}
	if got := EndpointFromEnv(envOf(map[string]string{"HF_ENDPOINT": "https://hf-mirror.com/"})); got != "https://hf-mirror.com" {
		t.Errorf("endpoint %s", got)
	}
	for v, want := range map[string]bool{"1": true, "ON": true, "yes": true, "True": true, "0": false, "": false, "off": false} {
		if got := OfflineFromEnv(envOf(map[string]string{"HF_HUB_OFFLINE": v})); got != want {
			t.Errorf("HF_HUB_OFFLINE=%q: %v", v, got)
		}
	}
	if !OfflineFromEnv(envOf(map[string]string{"TRANSFORMERS_OFFLINE": "1"})) {
		t.Errorf("TRANSFORMERS_OFFLINE=1 not offline")
	}

	home := t.TempDir()
	env := map[string]string{"HOME": home}
	if got := TokenFromEnv(envOf(env)); got != "" {
		t.Errorf("token with none: %q", got)
	}
	tokFile := filepath.Join(home, ".cache", "huggingface", "token")
	os.MkdirAll(filepath.Dir(tokFile), 0o755)
	os.WriteFile(tokFile, []byte("hf_file\n"), 0o600)
	if got := TokenFromEnv(envOf(env)); got != "hf_file" {
		t.Errorf("token from file: %q", got)
	}
	env["HUGGING_FACE_HUB_TOKEN"] = "hf_legacy"
	if got := TokenFromEnv(envOf(env)); got != "hf_legacy" {
		t.Errorf("legacy token: %q", got)
	}
	env["HF_TOKEN"] = "hf_env"
	if got := TokenFromEnv(envOf(env)); got != "hf_env" {
		t.Errorf("HF_TOKEN: %q", got)
	}

	c := ClientFromEnv(envOf(map[string]string{"HOME": home, "HF_TOKEN": "t", "HF_HUB_OFFLINE": "1"}))
	if c.Endpoint != DefaultEndpoint || c.Token != "t" || !c.Offline || c.CacheDir != filepath.Join(home, ".cache", "huggingface", "hub") {
		t.Errorf("ClientFromEnv = %+v", c)
	}
}

func TestParseID(t *testing.T) {
	good := []struct{ in, repo, rev string }{
		{"google/vit-base-patch16-224", "google/vit-base-patch16-224", "main"},
		{"timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", "timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", "main"},
		{"facebook/deit-tiny-patch16-224@v1.0", "facebook/deit-tiny-patch16-224", "v1.0"},
		{"a/b@refs/pr/12", "a/b", "refs/pr/12"},
		{"a/b@" + commitA, "a/b", commitA},
	}
	for _, tc := range good {
		repo, rev, err := ParseID(tc.in)
		if err != nil || repo != tc.repo || rev != tc.rev {
			t.Errorf("ParseID(%q) = %q, %q, %v", tc.in, repo, rev, err)
		}
	}
	for _, in := range []string{"", "vit", "/abs/path", "./rel/dir", "a/b/c", "a/", "/b", "a/b@", "a/b@../x",
		"a/b@x/../../y", "a/b@ x", "a--x/b", "a/b..c", "-a/b", "a/b.", "a/b.git", "a/b@c@d", `a\b/c`} {
		if repo, rev, err := ParseID(in); !errors.Is(err, ErrBadID) {
			t.Errorf("ParseID(%q) = %q, %q, %v; want ErrBadID", in, repo, rev, err)
		}
	}
	if got := RepoFolderName("google/vit-base-patch16-224"); got != "models--google--vit-base-patch16-224" {
		t.Errorf("RepoFolderName = %s", got)
	}
}
