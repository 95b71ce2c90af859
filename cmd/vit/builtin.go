package main

import (
	"slices"

	"github.com/vitgo/vit/internal/model"
	"github.com/vitgo/vit/models"
)

// builtinDefault is the model classify uses when -m is not given.
func builtinDefault() string { return models.Default }

func isBuiltin(name string) bool { return slices.Contains(models.Names(), name) }

func loadBuiltin(name string, opt model.Options) (*model.Model, error) {
	return model.LoadFS(models.FS, name, opt)
}
