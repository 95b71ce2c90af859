package models

import (
	"embed"
	"io/fs"
	"sort"
)

// FS holds one directory per built-in model, each in the Hugging Face layout:
// config.json, preprocessor_config.json, model.safetensors and README.md.
//
//go:embed fashion-vit/config.json fashion-vit/preprocessor_config.json fashion-vit/model.safetensors fashion-vit/README.md
var FS embed.FS

// Default is the model used when no other is named.
const Default = "fashion-vit"

// Names returns the built-in model names (the directories of FS), sorted.
func Names() []string {
	ents, err := fs.ReadDir(FS, ".")
	if err != nil {
		return nil // unreachable: the root of an embed.FS always reads
	}
	var names []string // [models]
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}
