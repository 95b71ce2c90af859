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
// ErrUnsupported with the cause cases.json names, that README's table of
// unsupported variants lists exactly these causes, and that the table's
// PIL 9.4 column says "reads" or "refuses" of each cause as the script
// found PIL to do with its files (open and convert("RGB")).
func TestUnsupportedVariants(t *testing.T) {
	var cases struct {
		Unsupported map[string]string `json:"unsupported"`
		PILReads    map[string]bool   `json:"pil_reads"`
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
	pil := map[string]bool{} // cause → PIL reads its files
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
		cause := "unsupported: " + what
		reads, ok := cases.PILReads[name]
		if prev, seen := pil[cause]; !ok || seen && prev != reads {
			t.Errorf("%s: PIL's result unknown or unlike other files of %q", name, cause)
		}
		pil[cause] = reads
		got = append(got, cause)
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
	cause := regexp.MustCompile("`(unsupported: [^`]*)`")
	rows := strings.Split(strings.TrimSpace(table), "\n")
	if len(rows) < 3 {
		t.Fatal("README's unsupported-variants table has no rows")
	}
	for _, row := range rows[2:] { // after the header
		cells := strings.Split(strings.Trim(row, "| "), " | ")
		if len(cells) != 3 {
			t.Errorf("README row %q: want 3 cells", row)
			continue
		}
		reads := strings.HasPrefix(cells[2], "reads")
		if !reads && !strings.HasPrefix(cells[2], "refuses") {
			t.Errorf("README row %q: PIL column is neither reads nor refuses", row)
		}
		for _, m := range cause.FindAllStringSubmatch(cells[1], -1) {
			listed = append(listed, m[1])
			if r, ok := pil[m[1]]; ok && r != reads {
				t.Errorf("README says PIL %s of %q; the fixtures say reads=%v", cells[2], m[1], r)
			}
		}
	}
	got = slices.Compact(slices.Sorted(slices.Values(got))) // several files may share a cause
	sort.Strings(listed)
	if strings.Join(got, "\n") != strings.Join(listed, "\n") {
		t.Errorf("README lists\n\t%s\nthe tests give\n\t%s", strings.Join(listed, "\n\t"), strings.Join(got, "\n\t"))
	}
}
