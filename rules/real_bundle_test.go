package rules_test

import (
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

// TestRealBundles checks real third-party app bundles, extracted as macOS
// does and as other systems do: only the expected errors, and the facts
// recorded with independent tools (identifier, team, seal size, stapling,
// every cdhash of the main executable).
func TestRealBundles(t *testing.T) {
	for _, rb := range testutil.RealBundles(t) {
		t.Run(rb.Bundle+"/elsewhere", func(t *testing.T) {
			want := rb.ExpectErrorsElsewhere
			if want == nil {
				want = rb.ExpectErrors
			}
			checkExpectedErrors(t, analyzer.Config{Rules: rules.All}, rb.Extract(t, t.TempDir()), want)
		})
		t.Run(rb.Bundle, func(t *testing.T) {
			path, xattrs := rb.ExtractAsMac(t, t.TempDir(), func(b []byte) (map[string][]byte, error) {
				ad, err := archive.ParseAppleDouble(b)
				if err != nil {
					return nil, err
				}
				return ad.Xattrs, nil
			})
			checkExpectedErrors(t, analyzer.Config{Rules: rules.All, ReadXattr: xattrs.Read}, path, rb.ExpectErrors)
			checkRealBundleFacts(t, rb, path)
		})
	}
}

// checkExpectedErrors runs every rule on path: exactly the rules in want may
// and must report errors.
func checkExpectedErrors(t *testing.T, cfg analyzer.Config, path string, want []string) {
	t.Helper()
	rep, errs := analyzer.Run(cfg, []string{path})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	allowed := map[string]bool{}
	for _, n := range want {
		allowed[n] = true
	}
	fired := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Severity == analyzer.Error {
			fired[f.RuleName] = true
			if !allowed[f.RuleName] {
				t.Errorf("unexpected error %s at %s [%s]: %s", f.RuleName, f.Path, f.Arch, f.Message)
			}
		}
	}
	for n := range allowed {
		if !fired[n] {
			t.Errorf("expected error %s did not fire", n)
		}
	}
}

// checkRealBundleFacts compares what notarylint reads with the oracle's
// facts: identifier, stapling, seal size, every cdhash and team ID.
func checkRealBundleFacts(t *testing.T, rb testutil.RealBundle, path string) {
	t.Helper()
	found, _ := analyzer.Inspect(analyzer.Config{}, []string{path})
	var b *analyzer.BundleFacts
	var main *analyzer.MachOFacts
	for _, f := range found {
		if f.Bundle != nil && f.Item.Parent == nil {
			b = f.Bundle
		}
		if f.MachO != nil && filepath.Base(f.Item.Path) == rb.Executable {
			main = f.MachO
		}
	}
	if b == nil || main == nil {
		t.Fatalf("bundle or main executable not found (%v, %v)", b, main)
	}
	if b.Identifier() != rb.Identifier || b.Stapled != rb.Stapled {
		t.Errorf("identifier %q stapled %v, want %q %v", b.Identifier(), b.Stapled, rb.Identifier, rb.Stapled)
	}
	files2 := 0
	if b.Seal != nil {
		files2 = len(b.Seal.Files2)
	}
	if files2 != rb.SealFiles2 {
		t.Errorf("files2 has %d entries, oracle %d", files2, rb.SealFiles2)
	}
	for _, want := range rb.Main.CDHashes {
		var slice *analyzer.SliceFacts
		for _, s := range main.Slices {
			if s.Arch == want.Arch {
				slice = s
			}
		}
		if slice == nil || len(slice.CodeDirectories()) != len(want.CDs) {
			t.Fatalf("%s: slice missing or CodeDirectory count differs", want.Arch)
		}
		for i, cd := range slice.CodeDirectories() {
			if got := hex.EncodeToString(cd.CDHash()); got != want.CDs[i].CDHash {
				t.Errorf("%s CD %s: cdhash %s, oracle %s", want.Arch, want.CDs[i].Slot, got, want.CDs[i].CDHash)
			}
			if rb.TeamID != "" && cd.TeamID != rb.TeamID {
				t.Errorf("%s: team %q, oracle %q", want.Arch, cd.TeamID, rb.TeamID)
			}
		}
	}
}
