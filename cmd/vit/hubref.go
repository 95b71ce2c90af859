package main

import (
	"context"
	"errors"
)

var errNoBuiltin = errors.New("no built-in models in this build")

// resolveHub finds ORG/NAME[@REV] in the Hugging Face cache.
func (a *app) resolveHub(ctx context.Context, spec string, offline bool) (string, error) {
	return "", usagef("model %q: not a directory or a built-in model", spec)
}
