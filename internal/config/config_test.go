package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/rules"
)

func names() []string {
	var out []string
	for _, r := range rules.All {
		out = append(out, r.ID, r.Name)
	}
	return out
}

func parse(t *testing.T, src string) (*config.File, error) {
	t.Helper()
	return config.Parse("x/.notarylint.yaml", []byte(src), rules.Lookup, names())
}

func TestParse(t *testing.T) {
	f, err := parse(t, `# a full configuration
rules:
  disable: [legacy-slices, NL1004]
  severity:
    macho-in-resources: error
    NL8001: warning
ignore:
  - rule: hardened-runtime-missing
    path: "MyApp.app/Contents/Helpers/**"
    arch: x86_64
    reason: the helper is launched by launchd, which refuses it with the runtime (FB1234)
    expires: 2027-03-31
  - rule: NL4011
    reason: plug-ins load from Resources by design
limits:
  max-depth: 12
  max-decompressed: 16GiB
  max-memory-file: 512MiB
  max-entries: 2000000
  max-ratio: 500
`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.Disable, ",") != "NL1003,NL1004" || len(f.Enable) != 0 {
		t.Errorf("disable %v enable %v", f.Disable, f.Enable)
	}
	if f.Severity["NL4011"] != analyzer.Error || f.Severity["NL8001"] != analyzer.Warning || len(f.Severity) != 2 {
		t.Errorf("severity %v", f.Severity)
	}
	if len(f.Ignore) != 2 {
		t.Fatalf("ignore %+v", f.Ignore)
	}
	ig := f.Ignore[0]
	if ig.Rule != "NL3001" || ig.Path != "MyApp.app/Contents/Helpers/**" || ig.Arch != "x86_64" || !ig.Expires.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) ||
		ig.Source != "x/.notarylint.yaml:8" || !strings.HasPrefix(ig.Reason, "the helper") {
		t.Errorf("ignore[0] %+v", ig)
	}
	if f.Ignore[1].Rule != "NL4011" || f.Ignore[1].Path != "" {
		t.Errorf("ignore[1] %+v", f.Ignore[1])
	}
	l := f.Limits
	if l.MaxDepth != 12 || l.MaxDecompressed != 16<<30 || l.MaxMemoryFile != 512<<20 || l.MaxEntries != 2000000 || l.MaxRatio != 500 {
		t.Errorf("limits %+v", l)
	}
	for _, empty := range []string{"", "# only a comment\n", "~\n"} {
		if f, err := parse(t, empty); err != nil || len(f.Ignore) != 0 {
			t.Errorf("%q: %v", empty, err)
		}
	}
}

// TestParseErrors: every mistake names the file, the line and, for a
// misspelt key or rule, the nearest valid name.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"rulez:\n  disable: []\n", `x/.notarylint.yaml:1: unknown key "rulez" in the top level (did you mean "rules"?)`},
		{"rules:\n  severty: {}\n", `:2: unknown key "severty" in rules (did you mean "severity"?)`},
		{"rules:\n  disable: [legacy-slice]\n", `:2: unknown rule "legacy-slice" (did you mean "legacy-slices"?)`},
		{"rules:\n  disable: [no-such-thing-at-all]\n", `:2: unknown rule "no-such-thing-at-all" (see`},
		{"rules:\n  severity:\n    NL1001: fatal\n", `:3: severity of NL1001 must be error, warning or info, not "fatal"`},
		{"rules:\n  enable: NL1001\n", `:2: rules.enable must be a list`},
		{"ignore:\n  - rule: NL1001\n", `:2: an ignore entry needs a reason`},
		{"ignore:\n  - reason: because\n", `:2: an ignore entry needs a rule`},
		{"ignore:\n  - rule: NL1001\n    reason: x\n    expires: next year\n", `:4: expires must be a date such as 2027-01-31, not "next year"`},
		{"ignore:\n  - rule: NL1001\n    reason: x\n    path: \"a/[b\"\n", `:4: path "a/[b": bad pattern`},
		{"ignore:\n  - rule: NL1001\n    reason: x\n    reson: y\n", `:4: unknown key "reson" in an ignore entry (did you mean "reason"?)`},
		{"limits:\n  max-decompressed: lots\n", `:2: must be a size such as 8GiB`},
		{"limits:\n  max-depth: 0\n", `:2: must be a whole number of at least 1, not "0"`},
		{"rules:\n  disable: [a\n", `x/.notarylint.yaml:`},
		{"rules: {}\nrules: {}\n", `:2: key "rules" given twice`},
		{"- a\n- b\n", `:1: the top level must be a mapping`},
	} {
		_, err := parse(t, tc.src)
		var ce *config.Error
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}

// TestFind looks upward from the input's directory and stops at the
// repository root.
func TestFind(t *testing.T) {
	root := t.TempDir()
	repo := filepath.Join(root, "repo")
	deep := filepath.Join(repo, "build", "out")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if p, err := config.Find(deep); p != "" || err != nil {
		t.Errorf("no file: %q %v", p, err)
	}
	// Above the repository root: not used.
	if err := os.WriteFile(filepath.Join(root, config.FileName), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := config.Find(deep); p != "" {
		t.Errorf("found %q above the repository root", p)
	}
	want := filepath.Join(repo, config.FileName)
	if err := os.WriteFile(want, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, err := config.Find(deep); p != want || err != nil {
		t.Errorf("found %q %v, want %q", p, err, want)
	}
}

func TestNearest(t *testing.T) {
	known := []string{"severity", "enable", "disable"}
	for in, want := range map[string]string{"severty": "severity", "Disable": "disable", "enabel": "enable", "zzz": "", "": ""} {
		if got := config.Nearest(in, known); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

// commentedYAML matches the template's commented-out settings (as opposed
// to its prose): "# key:", "#   - key: value", "#   # note".
var commentedYAML = regexp.MustCompile(`^# (\s*)(- )?([a-z][a-z0-9-]*:( |$)|#)`)

// TestTemplate: the template parses, and with its comments removed it
// configures exactly what it says the defaults are.
func TestTemplate(t *testing.T) {
	if _, err := parse(t, config.Template); err != nil {
		t.Fatalf("template: %v", err)
	}
	var b strings.Builder
	for _, line := range strings.Split(config.Template, "\n") {
		if commentedYAML.MatchString(line) {
			b.WriteString(strings.TrimPrefix(line, "# ") + "\n")
		}
	}
	f, err := parse(t, b.String())
	if err != nil {
		t.Fatalf("uncommented template: %v\n%s", err, b.String())
	}
	if l := f.Limits; l != archive.DefaultLimits {
		t.Errorf("the template's limits %+v are not the defaults %+v", l, archive.DefaultLimits)
	}
	if len(f.Ignore) != 1 || len(f.Disable) != 1 || len(f.Severity) != 1 {
		t.Errorf("uncommented template: %+v", f)
	}
}
