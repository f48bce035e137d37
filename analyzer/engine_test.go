package analyzer_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

func writeTree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// countingRule reports every Mach-O item and records its path in seen; it
// may run on several items at once.
func countingRule(seen *[]string) *analyzer.Rule {
	var mu sync.Mutex
	return &analyzer.Rule{
		ID: "NL1999", Name: "test-counter", Severity: analyzer.Warning, Kinds: []analyzer.Kind{analyzer.KindMachO},
		Doc: analyzer.Doc{Title: "t", Why: "w", Fix: "f"},
		Check: func(p *analyzer.Pass) {
			mu.Lock()
			*seen = append(*seen, p.Item.Path)
			mu.Unlock()
			p.Reportf(p.MachO().Slices[0].Arch, "seen")
		},
	}
}

func TestDiscoverByContent(t *testing.T) {
	exe := fixture.MustBytes(t, fixture.MachO{BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, SDK: macho.MakeVersion(14, 0, 0)}})
	dir := writeTree(t, map[string][]byte{
		"a/tool.txt":    exe, // found by magic, whatever the name
		"b/Main.class":  append([]byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x3d}, make([]byte, 40)...),
		"c/notes.md":    []byte("# notes"),
		"c/empty":       nil,
		"d/lib.dylib.x": exe,
	})
	if err := os.Symlink(filepath.Join(dir, "a", "tool.txt"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	var seen []string
	rep, errs := analyzer.Run(analyzer.Config{Rules: []*analyzer.Rule{countingRule(&seen)}, Jobs: 1}, []string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	base := filepath.Base(dir)
	want := base + "/a/tool.txt," + base + "/d/lib.dylib.x"
	if strings.Join(seen, ",") != want {
		t.Errorf("rule ran on %v, want %s (no symlink, no class file)", seen, want)
	}
	if rep.Summary.Warning != 2 || rep.Summary.Items != 3 {
		t.Errorf("summary = %+v", rep.Summary)
	}
	if rep.Findings[0].Fingerprint == "" || rep.Findings[0].Fingerprint == rep.Findings[1].Fingerprint {
		t.Error("fingerprints missing or not distinct")
	}
}

func TestSeverityOverrideAndDeterministicOrder(t *testing.T) {
	exe := fixture.MustBytes(t, fixture.MachO{})
	dir := writeTree(t, map[string][]byte{"z": exe, "a": exe, "m": exe})
	var seen []string
	r := countingRule(&seen)
	rep, _ := analyzer.Run(analyzer.Config{Rules: []*analyzer.Rule{r}, Severity: map[string]analyzer.Severity{r.ID: analyzer.Error}}, []string{dir})
	var paths []string
	for _, f := range rep.Findings {
		paths = append(paths, filepath.Base(f.Path))
		if f.Severity != analyzer.Error {
			t.Errorf("severity %v, want the override", f.Severity)
		}
	}
	if strings.Join(paths, "") != "amz" || rep.Summary.Error != 3 {
		t.Errorf("order %v, summary %+v", paths, rep.Summary)
	}
}

func TestPanickingRuleBecomesInternalError(t *testing.T) {
	dir := writeTree(t, map[string][]byte{"tool": fixture.MustBytes(t, fixture.MachO{})})
	boom := &analyzer.Rule{
		ID: "NL1998", Name: "test-boom", Severity: analyzer.Info, Kinds: []analyzer.Kind{analyzer.KindMachO},
		Doc:   analyzer.Doc{Title: "t", Why: "w", Fix: "f"},
		Check: func(p *analyzer.Pass) { p.Reportf("", "before"); panic("kaboom") },
	}
	var seen []string
	rep, _ := analyzer.Run(analyzer.Config{Rules: []*analyzer.Rule{boom, countingRule(&seen)}}, []string{dir})
	var names []string
	for _, f := range rep.Findings {
		names = append(names, f.RuleName)
		if f.RuleName == "internal-error" && (!strings.Contains(f.Message, "NL1998") || !strings.Contains(f.Message, "kaboom")) {
			t.Errorf("internal-error message %q should name the rule and the panic", f.Message)
		}
	}
	// The panicking rule's finding made before the panic is kept, the other
	// rule still runs, and the panic is an internal-error finding.
	if len(seen) != 1 || len(names) != 3 || !contains(names, "test-boom") || !contains(names, "internal-error") {
		t.Errorf("findings %v, seen %v", names, seen)
	}
}

func TestUnsupportedInputs(t *testing.T) {
	dir := writeTree(t, map[string][]byte{"text": []byte("hello"), "class": {0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34}})
	for _, p := range []string{filepath.Join(dir, "text"), filepath.Join(dir, "class"), filepath.Join(dir, "missing")} {
		_, errs := analyzer.Run(analyzer.Config{}, []string{p})
		if len(errs) != 1 {
			t.Errorf("%s: errors %v, want one input error", p, errs)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestReportItems lists the items read, in path order, with their kinds
// and a Mach-O file's architectures.
func TestReportItems(t *testing.T) {
	exe := fixture.MustBytes(t, fixture.MachO{BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, SDK: macho.MakeVersion(14, 0, 0)}})
	dir := writeTree(t, map[string][]byte{
		"tool":      exe,
		"b/lib.zip": fixture.Zip(t, []fixture.ZipEntry{{Name: "x/inner", Data: exe}}),
	})
	rep, errs := analyzer.Run(analyzer.Config{Rules: []*analyzer.Rule{countingRule(new([]string))}}, []string{dir})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	base := filepath.Base(dir)
	var got []string
	for _, it := range rep.Items {
		got = append(got, it.Path+" "+it.Kind+" "+strings.Join(it.Archs, ","))
	}
	want := []string{base + " directory ", base + "/b/lib.zip archive ", base + "/b/lib.zip/x/inner mach-o arm64", base + "/tool mach-o arm64"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("items:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
