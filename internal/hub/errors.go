package hub

import (
	"errors"
	"fmt"
	"net/url"
)

// Sentinel errors; every error returned by this package that belongs to one
// of these classes matches it with errors.Is, and its message names the model
// id and, for downloads, the file.
var (
	// ErrBadID: the string is not ORG/NAME[@REVISION].
	ErrBadID = errors.New("invalid model id")
	// ErrNotCached: the id (at that revision) has no complete snapshot in
	// the cache.
	ErrNotCached = errors.New("not in the Hugging Face cache")
	// ErrUnauthorized: HTTP 401 or 403; the repository is gated, private,
	// or absent, and needs a token (HF_TOKEN) that can read it.
	ErrUnauthorized = errors.New("access denied")
	// ErrNotFound: HTTP 404; no such repository, revision or file.
	ErrNotFound = errors.New("not found")
	// ErrOffline: the hub could not be reached (DNS, connection refused,
	// unreachable network, no connection within the dial timeout). The
	// cause (in the error) says which; the message claims no more.
	ErrOffline = errors.New("the hub cannot be reached; set HF_HUB_OFFLINE=1 to use only the cache")
	// ErrTimeout: the hub was reached but did not answer in time: no
	// answer to a HEAD, no response headers to a GET, or a download
	// slower than the minimum rate.
	ErrTimeout = errors.New("the hub did not answer in time")
	// ErrOfflineMode: a pull was asked for while Client.Offline is set and
	// the model is not cached.
	ErrOfflineMode = errors.New("offline mode is on (HF_HUB_OFFLINE=1)")
	// ErrNoSafetensors: the repository has PyTorch pickle weights
	// (pytorch_model.bin) but no safetensors file.
	ErrNoSafetensors = errors.New("no safetensors weights")
	// ErrSizeMismatch: a download ended with a different number of bytes
	// than the hub announced (a truncated or interrupted body).
	ErrSizeMismatch = errors.New("size mismatch")
	// ErrChecksum: the SHA-256 of a large file differs from its etag.
	ErrChecksum = errors.New("checksum mismatch")
)

// StatusError is an HTTP error answer from the hub. It matches
// ErrUnauthorized (401, 403) or ErrNotFound (404) with errors.Is.
type StatusError struct {
	Repo, Rev, File string // what was asked for
	Status          int    // HTTP status code
	Code            string // X-Error-Code: RepoNotFound, GatedRepo, RevisionNotFound, EntryNotFound, or ""
	Message         string // X-Error-Message, or ""
	Endpoint        string // hub URL
	HasToken        bool   // an Authorization header was sent
}

func (e *StatusError) Error() string {
	var s string
	switch {
	case e.Status == 401 || e.Status == 403:
		switch {
		case e.Code == "GatedRepo":
			s = fmt.Sprintf("%s is gated: accept its conditions on the hub, then", e.Repo)
		case e.Code == "RepoNotFound":
			s = fmt.Sprintf("%s was not found on %s, or is private or gated:", e.Repo, e.Endpoint)
		default:
			s = fmt.Sprintf("%s: %s: the repository is private or gated, or does not exist:", e.Repo, e.File)
		}
		if e.HasToken {
			s += " the token in HF_TOKEN was refused; set HF_TOKEN to a token that can read it"
		} else {
			s += " set HF_TOKEN to an access token that can read it"
		}
	case e.Status == 404:
		switch e.Code {
		case "RepoNotFound":
			s = fmt.Sprintf("no model %s on %s", e.Repo, e.Endpoint)
		case "RevisionNotFound":
			s = fmt.Sprintf("no revision %q in %s", e.Rev, e.Repo)
		default:
			s = fmt.Sprintf("no file %s in %s@%s", e.File, e.Repo, e.Rev)
		}
	default:
		s = fmt.Sprintf("%s@%s: %s: the hub answered with an error", e.Repo, e.Rev, e.File)
	}
	s += fmt.Sprintf(" (HTTP %d", e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s + ")"
}

// Unwrap returns the sentinel of the status class, if any.
func (e *StatusError) Unwrap() error {
	switch e.Status {
	case 401, 403:
		return ErrUnauthorized
	case 404:
		return ErrNotFound
	}
	return nil
}

// offlineError is a failure to reach the hub at all.
type offlineError struct {
	url   string
	cause error
}

func (e *offlineError) Error() string {
	host := e.url
	if u, err := url.Parse(e.url); err == nil && u.Host != "" {
		host = u.Host
	}
	return fmt.Sprintf("cannot reach %s (%v): %v", host, e.cause, ErrOffline)
}

func (e *offlineError) Unwrap() []error { return []error{ErrOffline, e.cause} }

// kindError is an error with its own message that matches a sentinel.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
