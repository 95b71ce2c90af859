package classify_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vitgo/vit/internal/classify"
)

// TestResumeFile: Resume reads the paths (path_bytes for a path that is
// not UTF-8), cuts a torn line, and leaves the file positioned at its end.
func TestResumeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.jsonl")
	content := `{"path":"a.png","predictions":[]}` + "\n" +
		`{"path":"b\ufffd.png","path_bytes":"Yv8ucG5n","error":"x"}` + "\n" +
		`{"path":"c.png","predic`
	os.WriteFile(p, []byte(content), 0o644)
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := classify.Resume(f, "jsonl", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Done["a.png"] || !res.Done["b\xff.png"] || res.Done["c.png"] || res.Records != 2 || !res.Dropped {
		t.Errorf("Resume: %+v", res)
	}
	f.WriteString("next\n")
	f.Close()
	if got, _ := os.ReadFile(p); string(got) != content[:len(content)-len(`{"path":"c.png","predic`)]+"next\n" {
		t.Errorf("file after the append: %q", got)
	}
}
