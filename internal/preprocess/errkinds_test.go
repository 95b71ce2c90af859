package preprocess

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestUnsupportedVariants decodes valid files of variants vit does not
// read (made by scripts/make_decode_fixtures.py) and checks that each is
// ErrUnsupported with the cause cases.json names, and that README's table
// of unsupported variants lists exactly these causes.
func TestUnsupportedVariants(t *testing.T) {
	var cases struct {
		Unsupported map[string]string `json:"unsupported"`
	}
	b, err := os.ReadFile(filepath.Join(decodeFixtureDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases.Unsupported) == 0 {
		t.Fatal("no unsupported cases")
	}
	var got []string
	for name, what := range cases.Unsupported {
		data, err := os.ReadFile(filepath.Join(decodeFixtureDir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = DecodeBytes(name, data, Limits{})
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: error %v, want ErrUnsupported", name, err)
			continue
		}
		if want := ": unsupported: " + what; !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: error %q does not end in %q", name, err, want)
		}
		got = append(got, "unsupported: "+what)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "<!-- unsupported:begin -->")
	table, _, ok2 := strings.Cut(table, "<!-- unsupported:end -->")
	if !ok || !ok2 {
		t.Fatal("README lacks the unsupported-variants table markers")
	}
	var listed []string
	for _, m := range regexp.MustCompile("`(unsupported: [^`]*)`").FindAllStringSubmatch(table, -1) {
		listed = append(listed, m[1])
	}
	got = slices.Compact(slices.Sorted(slices.Values(got))) // several files may share a cause
	sort.Strings(listed)
	if strings.Join(got, "\n") != strings.Join(listed, "\n") {
		t.Errorf("README lists\n\t%s\nthe tests give\n\t%s", strings.Join(listed, "\n\t"), strings.Join(got, "\n\t"))
	}
}
