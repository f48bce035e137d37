package pkg_test

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/pkg"
)

// TestParseBom reads back a Bom written like mkbom, large enough to need
// several leaves, and rejects truncated ones.
func TestParseBom(t *testing.T) {
	files := []fixture.CpioFile{{Name: ".", Mode: fs.ModeDir}, {Name: "./Applications", Mode: fs.ModeDir}}
	for i := range 300 {
		files = append(files, fixture.CpioFile{Name: "./Applications/f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + string(rune('A'+i/26)), Data: []byte{byte(i)}})
	}
	b := fixture.Bom(t, files)
	got, err := pkg.ParseBom(b)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		want = append(want, f.Name)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got %d paths, want %d; first %v", len(got), len(want), got[:min(5, len(got))])
	}
	for _, n := range []int{0, 8, 31, 512, len(b) / 2} {
		if _, err := pkg.ParseBom(b[:n]); err == nil {
			t.Errorf("Bom cut at %d bytes parsed", n)
		}
	}
}
