package main

import (
	"github.com/vitgo/vit/internal/model"
)

// Until the models package lands: no built-in model.

func builtinDefault() string { return "fashion-vit" }

func builtinNames() []string { return nil }

func isBuiltin(name string) bool {
	for _, n := range builtinNames() {
		if n == name {
			return true
		}
	}
	return false
}

func loadBuiltin(name string, opt model.Options) (*model.Model, error) {
	return nil, errNoBuiltin
}
