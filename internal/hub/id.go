package hub

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// repoPart is one of ORG or NAME: letters, digits, "_", "-", "." that
	// start and end with a letter, digit or "_" (huggingface_hub's
	// validate_repo_id, ASCII only).
	repoPart   = regexp.MustCompile(`^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$`)
	commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)
	sha256Hex  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ParseID splits "ORG/NAME[@REVISION]" into the repository id "ORG/NAME" and
// the revision (DefaultRevision, "main", when absent). REVISION may be a
// branch, a tag, a commit hash or a ref such as "refs/pr/1". Errors wrap
// ErrBadID.
//
// ParseID checks syntax only: a relative directory path such as "models/foo"
// is also a well-formed id, so callers that accept paths test for a directory
// first.
func ParseID(s string) (repo, rev string, err error) {
	repo, rev = s, DefaultRevision
	if i := strings.IndexByte(s, '@'); i >= 0 {
		repo, rev = s[:i], s[i+1:]
		if !validRevision(rev) {
			return "", "", fmt.Errorf("%w %q: bad revision %q", ErrBadID, s, rev)
		}
	}
	org, name, ok := strings.Cut(repo, "/")
	if !ok || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("%w %q: want ORG/NAME[@REVISION]", ErrBadID, s)
	}
	for _, p := range []string{org, name} {
		if !repoPart.MatchString(p) || strings.Contains(p, "--") || strings.Contains(p, "..") {
			return "", "", fmt.Errorf("%w %q: %q may hold only letters, digits, '-', '_' and '.', without '--' or '..'", ErrBadID, s, p)
		}
	}
	if strings.HasSuffix(name, ".git") {
		return "", "", fmt.Errorf("%w %q: name ends with .git", ErrBadID, s)
	}
	return repo, rev, nil
}

// validRevision accepts a branch, tag, ref or commit name that is safe to
// use as a path below refs/.
func validRevision(rev string) bool {
	if rev == "" || len(rev) > 255 || strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/") {
		return false
	}
	for _, seg := range strings.Split(rev, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	for _, r := range rev {
		if r <= ' ' || r == 0x7f || r == '\\' || r == ':' || r == '@' {
			return false
		}
	}
	return true
}

// IsCommitHash reports whether rev is a full 40-hex commit hash, which maps
// directly to snapshots/<rev> (huggingface_hub's REGEX_COMMIT_HASH).
func IsCommitHash(rev string) bool { return commitHash.MatchString(rev) }

// RepoFolderName returns the cache folder of a model repository:
// "models--ORG--NAME" for "ORG/NAME" (huggingface_hub's repo_folder_name).
func RepoFolderName(repo string) string {
	return "models--" + strings.ReplaceAll(repo, "/", "--")
}

// repoFromFolder inverts RepoFolderName; ok is false for folders that are not
// model repositories (datasets--, spaces--, stray files).
func repoFromFolder(folder string) (repo string, ok bool) {
	rest, ok := strings.CutPrefix(folder, "models--")
	if !ok || rest == "" {
		return "", false
	}
	return strings.ReplaceAll(rest, "--", "/"), true
}
