package model

import (
	"strings"
	"testing"
)

// TestHostileRecipe loads the tiny HF fixture with preprocessor configs
// whose sizes would each cost gigabytes, or a panic, per image: each must
// fail once, at load, naming the file and the size.
func TestHostileRecipe(t *testing.T) {
	good := encodeST(fixtureEntries(t, "hf-vit-tiny"))
	cfg := fixtureConfig(t, "hf-vit-tiny")
	cases := []struct{ name, pp, want string }{
		{"huge list size", `{"size": [1000000000, 1000000000]}`, "size [1000000000 1000000000]: want [height, width]"},
		{"tall list size", `{"size": [28, 28000000]}`, "size [28 28000000]: want [height, width]"},
		{"huge crop", `{"do_center_crop": true, "size": 5000, "crop_size": 5000}`, "is a 625×625 patch grid, more than 65536 patches"},
		{"wide input", `{"size": {"height": 16, "width": 65536}}`, ""},
		{"below a patch", `{"size": 4}`, "smaller than one 8×8 patch"},
		{"gray recipe, rgb model", `{"image_mean": 0.5, "image_std": 0.5}`, "1 channels, the model reads 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeModel(t, cfg, map[string][]byte{"model.safetensors": good, "preprocessor_config.json": []byte(c.pp)})
			m, err := load(dir, nil, Options{Threads: 1}, loadOpts{})
			if c.want == "" {
				if err != nil {
					t.Fatalf("load: %v, want success", err)
				}
				m.Close()
				return
			}
			if err == nil {
				m.Close()
				t.Fatalf("loaded, want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "preprocessor_config.json") {
				t.Fatalf("error %q\nwant it to name preprocessor_config.json and contain %q", err, c.want)
			}
		})
	}
}
