package analyzer_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"App.app/Contents/MacOS/App", "App.app/Contents/MacOS/App", true},
		{"App.app/Contents/MacOS/*", "App.app/Contents/MacOS/App", true},
		{"App.app/Contents/MacOS/*", "App.app/Contents/MacOS/sub/App", false},
		{"App.app/**", "App.app/Contents/Frameworks/K.framework/Versions/A/K", true},
		{"App.app/**", "App.app", true},
		{"**/K.framework/**", "X.dmg/App.app/Contents/Frameworks/K.framework/K", true},
		{"**/*.dylib", "a/b/c/libz.dylib", true},
		{"**/*.dylib", "a/b/c/libz.so", false},
		{"*.zip/**/tool", "Out.zip/x/y/tool", true},
		{"Other.app/**", "App.app/Contents", false},
		{"App.app/Contents/[MR]*", "App.app/Contents/Resources", true},
	} {
		if got := analyzer.MatchGlob(tc.pattern, tc.name); got != tc.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tc.pattern, tc.name, got, tc.want)
		}
	}
	if analyzer.CheckGlob("a/[b/c") == nil {
		t.Error("a bad pattern passes CheckGlob")
	}
	if err := analyzer.CheckGlob("a/**/b*"); err != nil {
		t.Error(err)
	}
}

// TestIgnoreAndBaseline: an ignore entry hides its findings (by rule, path
// and arch); an expired one does not and is reported itself; the baseline
// hides findings by fingerprint, which does not depend on the directory
// the input is in.
func TestIgnoreAndBaseline(t *testing.T) {
	exe := fixture.MustBytes(t, fixture.MachO{BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, SDK: macho.MakeVersion(14, 0, 0)}})
	seen := new([]string)
	rule := countingRule(seen)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	run := func(dir string, cfg analyzer.Config) *analyzer.Report {
		t.Helper()
		cfg.Rules, cfg.Now = []*analyzer.Rule{rule, analyzer.IgnoreExpired}, now
		rep, errs := analyzer.Run(cfg, []string{filepath.Join(dir, "Tools")})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		return rep
	}
	tree := map[string][]byte{"Tools/a": exe, "Tools/b": exe}
	dir := writeTree(t, tree)
	all := run(dir, analyzer.Config{})
	if len(all.Findings) != 2 {
		t.Fatalf("findings %+v", all.Findings)
	}

	ig := analyzer.Ignore{Rule: rule.ID, Path: "Tools/a", Arch: "arm64", Reason: "accepted", Source: ".notarylint.yaml:4"}
	rep := run(dir, analyzer.Config{Ignore: []analyzer.Ignore{ig}})
	if len(rep.Findings) != 1 || rep.Findings[0].Path != "Tools/b" || rep.Summary.Ignored != 1 {
		t.Errorf("ignore Tools/a: %+v, ignored %d", rep.Findings, rep.Summary.Ignored)
	}
	other := ig
	other.Arch = "x86_64"
	if rep := run(dir, analyzer.Config{Ignore: []analyzer.Ignore{other}}); len(rep.Findings) != 2 {
		t.Errorf("an entry for another arch hid findings: %+v", rep.Findings)
	}
	expired := ig
	expired.Expires = now.AddDate(0, 0, -1)
	rep = run(dir, analyzer.Config{Ignore: []analyzer.Ignore{expired}})
	var names []string
	for _, f := range rep.Findings {
		names = append(names, f.RuleName+" "+f.Path)
	}
	if len(rep.Findings) != 3 || rep.Summary.Warning != 3 || rep.Findings[0].RuleName != "ignore-expired" || rep.Findings[0].Path != ".notarylint.yaml" {
		t.Errorf("expired entry: %v", names)
	}
	notYet := ig
	notYet.Expires = now.AddDate(0, 0, 1)
	if rep := run(dir, analyzer.Config{Ignore: []analyzer.Ignore{notYet}}); len(rep.Findings) != 1 {
		t.Errorf("an entry expiring tomorrow does not apply: %+v", rep.Findings)
	}

	// The same tree elsewhere: the same fingerprints, so one baseline
	// serves both.
	elsewhere := run(writeTree(t, tree), analyzer.Config{})
	base := map[string]bool{}
	for i, f := range all.Findings {
		if f.Fingerprint != elsewhere.Findings[i].Fingerprint {
			t.Errorf("fingerprint of %s differs between directories", f.Path)
		}
		base[f.Fingerprint] = true
	}
	if rep := run(dir, analyzer.Config{Baseline: base}); len(rep.Findings) != 0 || rep.Summary.Baselined != 2 {
		t.Errorf("baseline: %+v, baselined %d", rep.Findings, rep.Summary.Baselined)
	}
}
