package hub

import (
	"os"
	"path/filepath"
	"strings"
)

// Environment variables read by the *FromEnv helpers (the names
// huggingface_hub uses).
const (
	EnvHubCache       = "HF_HUB_CACHE"          // cache directory itself
	EnvHubCacheLegacy = "HUGGINGFACE_HUB_CACHE" // older name of HF_HUB_CACHE
	EnvHome           = "HF_HOME"               // cache is $HF_HOME/hub, token $HF_HOME/token
	EnvXDGCache       = "XDG_CACHE_HOME"        // cache is $XDG_CACHE_HOME/huggingface/hub
	EnvEndpoint       = "HF_ENDPOINT"           // hub URL, default DefaultEndpoint
	EnvToken          = "HF_TOKEN"              // bearer token for gated/private repos
	EnvTokenLegacy    = "HUGGING_FACE_HUB_TOKEN"
	EnvTokenPath      = "HF_TOKEN_PATH" // file written by `huggingface-cli login`
	EnvOffline        = "HF_HUB_OFFLINE"
	EnvOfflineLegacy  = "TRANSFORMERS_OFFLINE"
)

// DefaultEndpoint is the public hub.
const DefaultEndpoint = "https://huggingface.co"

// DefaultRevision is the revision used when an id has no @REVISION.
const DefaultRevision = "main"

// CacheDirFromEnv returns the hub cache directory: $HF_HUB_CACHE, else
// $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub. A leading
// "~" is expanded to the home directory ($HOME, else $USERPROFILE, else
// os.UserHomeDir). Empty variables count as unset.
func CacheDirFromEnv(getenv func(string) string) string {
	if v := getenv(EnvHubCache); v != "" {
		return expandHome(v, getenv)
	}
	if v := getenv(EnvHubCacheLegacy); v != "" {
		return expandHome(v, getenv)
	}
	return filepath.Join(hfHome(getenv), "hub")
}

// hfHome is $HF_HOME, else $XDG_CACHE_HOME/huggingface, else
// ~/.cache/huggingface.
func hfHome(getenv func(string) string) string {
	if v := getenv(EnvHome); v != "" {
		return expandHome(v, getenv)
	}
	if v := getenv(EnvXDGCache); v != "" {
		return filepath.Join(expandHome(v, getenv), "huggingface")
	}
	return filepath.Join(homeDir(getenv), ".cache", "huggingface")
}

// EndpointFromEnv returns $HF_ENDPOINT without trailing slashes, else
// DefaultEndpoint.
func EndpointFromEnv(getenv func(string) string) string {
	if v := strings.TrimRight(strings.TrimSpace(getenv(EnvEndpoint)), "/"); v != "" {
		return v
	}
	return DefaultEndpoint
}

// TokenFromEnv returns the access token: $HF_TOKEN, else
// $HUGGING_FACE_HUB_TOKEN, else the contents of the token file saved by
// `huggingface-cli login` ($HF_TOKEN_PATH, else $HF_HOME/token). It returns ""
// when there is none.
func TokenFromEnv(getenv func(string) string) string {
	for _, name := range []string{EnvToken, EnvTokenLegacy} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
	}
	path := getenv(EnvTokenPath)
	if path != "" {
		path = expandHome(path, getenv)
	} else {
		path = filepath.Join(hfHome(getenv), "token")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// OfflineFromEnv reports whether $HF_HUB_OFFLINE (or the older
// $TRANSFORMERS_OFFLINE) is 1, ON, YES or TRUE, in any case.
func OfflineFromEnv(getenv func(string) string) bool {
	return isTrue(getenv(EnvOffline)) || isTrue(getenv(EnvOfflineLegacy))
}

func isTrue(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "1", "ON", "YES", "TRUE":
		return true
	}
	return false
}

// ClientFromEnv returns a Client configured from the environment: endpoint,
// token, cache directory and offline mode. HTTP and Progress are left unset.
func ClientFromEnv(getenv func(string) string) *Client {
	return &Client{
		Endpoint: EndpointFromEnv(getenv),
		Token:    TokenFromEnv(getenv),
		CacheDir: CacheDirFromEnv(getenv),
		Offline:  OfflineFromEnv(getenv),
	}
}

func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	if h := getenv("USERPROFILE"); h != "" {
		return h
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	return h
}

// expandHome replaces a leading "~" (alone or followed by a separator) with
// the home directory, as Python's os.path.expanduser does.
func expandHome(p string, getenv func(string) string) string {
	if p == "~" {
		return homeDir(getenv)
	}
	if strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		return filepath.Join(homeDir(getenv), p[2:])
	}
	return p
}
