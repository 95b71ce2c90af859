package classify

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Glob is one --glob (or --iglob) filter of a directory walk, as ripgrep
// reads them: the pattern is matched against the path of a walked file or
// directory relative to the directory argument, with "/" separators. A
// pattern without "/" matches the base name at any depth; one with "/"
// matches the whole relative path ("/" at its start only anchors it).
// "*", "?" and "[...]" match within one name (path.Match's syntax); "**"
// as a whole segment matches any number of names, none included, except
// at the end, where it matches what is inside ("raw/**" is not "raw").
type Glob struct {
	Pattern    string // without the "!"
	Exclude    bool   // "!PATTERN": drop what matches
	IgnoreCase bool   // match case-insensitively (--iglob)

	segs []string // the pattern's segments (lower-cased with IgnoreCase)
	base bool     // no "/" in the pattern: match the base name
}

// ParseGlob reads one --glob value: PATTERN or !PATTERN.
func ParseGlob(s string, ignoreCase bool) (Glob, error) {
	g := Glob{Pattern: s, IgnoreCase: ignoreCase}
	if rest, ok := strings.CutPrefix(s, "!"); ok {
		g.Pattern, g.Exclude = rest, true
	}
	p := g.Pattern
	if ignoreCase {
		p = strings.ToLower(p)
	}
	p = strings.TrimSuffix(p, "/")
	if p == "" || p == "/" {
		return Glob{}, errors.New("empty pattern")
	}
	g.base = !strings.Contains(p, "/")
	g.segs = strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, seg := range g.segs {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return Glob{}, fmt.Errorf("bad pattern %q (syntax: * ? [a-z] [!a-z] \\c, ** for any directories)", s)
		}
	}
	return g, nil
}

// String is the --glob value: the pattern, with "!" when it excludes.
func (g Glob) String() string {
	if g.Exclude {
		return "!" + g.Pattern
	}
	return g.Pattern
}

// match reports whether rel (a relative path with "/" separators, never
// empty) matches g.
func (g Glob) match(rel string) bool {
	if g.IgnoreCase {
		rel = strings.ToLower(rel)
	}
	if g.base {
		ok, _ := path.Match(g.segs[0], path.Base(rel))
		return ok
	}
	return matchSegs(g.segs, strings.Split(rel, "/"))
}

// matchSegs matches pattern segments against path segments, "**" taking
// any number of them.
func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return len(name) > 0 // a trailing "**" is what is inside
			}
			for i := range len(name) + 1 {
				if matchSegs(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// globsKeep decides a walked path rel: the last glob that matches wins (an
// exclusion drops, an inclusion keeps). A file that no glob matches is
// kept only when there are no inclusions; a directory that no glob
// matches is always entered (inclusions select files, not the directories
// they are in).
func globsKeep(globs []Glob, rel string, dir bool) bool {
	include := false
	for i := len(globs) - 1; i >= 0; i-- {
		g := globs[i]
		if g.match(rel) {
			return !g.Exclude
		}
		include = include || !g.Exclude
	}
	return dir || !include
}
