package models

import (
	"encoding/json"
	"io/fs"
	"slices"
	"testing"
)

func TestNamesHasDefault(t *testing.T) {
	if !slices.Contains(Names(), Default) {
		t.Fatalf("Names() = %v, want it to contain %q", Names(), Default)
	}
}

func TestDefaultFiles(t *testing.T) {
	for _, name := range []string{"config.json", "preprocessor_config.json", "model.safetensors", "README.md"} {
		b, err := fs.ReadFile(FS, Default+"/"+name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	var cfg struct {
		ModelType string            `json:"model_type"`
		ID2Label  map[string]string `json:"id2label"`
	}
	b, _ := fs.ReadFile(FS, Default+"/config.json")
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatalf("config.json: %v", err)
	}
	if cfg.ModelType != "vit" || len(cfg.ID2Label) != 10 || cfg.ID2Label["9"] != "Ankle boot" {
		t.Fatalf("config.json: model_type %q, %d labels, label 9 %q", cfg.ModelType, len(cfg.ID2Label), cfg.ID2Label["9"])
	}
}

func TestSizeBudget(t *testing.T) {
	var total int64
	err := fs.WalkDir(FS, Default, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > 4<<20 {
		t.Fatalf("%s is %d bytes, over the 4 MB budget", Default, total)
	}
}
