package rules_test

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestRealDiskImage checks a real hdiutil image (testdata/real-dmg): the
// findings are exactly those its README lists, so no structural, checksum,
// Finder info or entitlement finding is false.
func TestRealDiskImage(t *testing.T) {
	b, err := os.ReadFile("../testdata/real-dmg/dummy.dmg")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for name, fs := range pkgFindings(t, "dummy.dmg", b) {
		for _, f := range fs {
			got = append(got, strings.TrimSpace(f.Severity.String()+" "+name+" "+f.Path+" "+f.Arch))
		}
	}
	sort.Strings(got)
	want := []string{
		"error adhoc-or-linker-signed dummy.dmg/dummy.app/Contents/MacOS/dummy arm64",
		"error adhoc-or-linker-signed dummy.dmg/dummy.app/Contents/MacOS/dummy x86_64",
		"error hardened-runtime-missing dummy.dmg/dummy.app/Contents/MacOS/dummy arm64",
		"error hardened-runtime-missing dummy.dmg/dummy.app/Contents/MacOS/dummy x86_64",
		"info dmg-contents dummy.dmg",
		"info dmg-inner-app-not-stapled dummy.dmg/dummy.app",
		"info ticket-not-stapled dummy.dmg",
		"warning dmg-unsigned dummy.dmg",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
