package classify

import (
	"fmt"
	"testing"
)

func TestShardKeeps(t *testing.T) {
	// Every path lands in exactly one of N shards, and the split is even
	// to within a few standard deviations.
	const n, files = 7, 7000
	counts := make([]int, n)
	for i := range files {
		p := fmt.Sprintf("photos/img_%05d.jpg", i)
		hits := 0
		for s := 1; s <= n; s++ {
			if (Shard{s, n}).keeps(p) {
				hits++
				counts[s-1]++
			}
		}
		if hits != 1 {
			t.Fatalf("%s is in %d shards", p, hits)
		}
	}
	for s, c := range counts {
		if c < files/n-150 || c > files/n+150 {
			t.Errorf("shard %d/%d has %d of %d files", s+1, n, c, files)
		}
	}
	// The documented formula, as Python's hashlib computes it:
	// int.from_bytes(sha256(path.encode()).digest()[:8], "big") % 10 + 1
	for path, want := range map[string]int{"photos/cat.jpg": 8, "a.png": 3, "dir/b.jpeg": 4} {
		for s := 1; s <= 10; s++ {
			if got := (Shard{s, 10}).keeps(path); got != (s == want) {
				t.Errorf("shard %d/10 keeps %s: %v, want shard %d", s, path, got, want)
			}
		}
	}
	if !(Shard{0, 0}).keeps("x") || !(Shard{1, 1}).keeps("x") {
		t.Error("no sharding must keep everything")
	}
}

func TestParseShard(t *testing.T) {
	for s, want := range map[string]string{
		"3/10": "3/10", " 1 / 1 ": "1/1",
		"0/4": "want 1 ≤ I ≤ N", "5/4": "want 1 ≤ I ≤ N", "2": "want I/N, e.g. 3/10", "a/b": "want I/N with integers, e.g. 3/10",
	} {
		sh, err := ParseShard(s)
		got := sh.String()
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ParseShard(%q) = %q, want %q", s, got, want)
		}
	}
}
