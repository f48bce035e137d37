package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// unsignedTree writes a repository (with .git) holding an unsigned tool
// built with a current SDK under build/, and returns the repository and
// the tool's directory.
func unsignedTree(t *testing.T) (repo, dir string) {
	repo = t.TempDir()
	dir = filepath.Join(repo, "build")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := fixture.MustBytes(t, fixture.MachO{BuildVersion: &fixture.BuildVersion{Platform: macho.PlatformMacOS, SDK: macho.MakeVersion(14, 0, 0)}})
	if err := os.WriteFile(filepath.Join(dir, "tool"), exe, 0o755); err != nil {
		t.Fatal(err)
	}
	return repo, dir
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func findingNames(t *testing.T, out string) []string {
	t.Helper()
	var rep struct {
		Findings []struct{ Name, Severity string }
		Summary  struct{ Ignored, Baselined int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var names []string
	for _, f := range rep.Findings {
		names = append(names, f.Name+"/"+f.Severity)
	}
	return names
}

// TestConfigFile: the configuration found above the input disables rules,
// changes severities and ignores findings; --config names another one.
func TestConfigFile(t *testing.T) {
	repo, dir := unsignedTree(t)
	code, out, _ := run(t, "check", "--format", "json", dir)
	if code != ExitFindings || !strings.Contains(strings.Join(findingNames(t, out), " "), "macho-unsigned/error") {
		t.Fatalf("no configuration: exit %d %v", code, findingNames(t, out))
	}
	conf := filepath.Join(repo, config.FileName)
	writeFile(t, conf, "rules:\n  severity:\n    macho-unsigned: warning\n")
	code, out, _ = run(t, "check", "--format", "json", dir)
	if got := strings.Join(findingNames(t, out), " "); code != ExitOK || got != "macho-unsigned/warning" {
		t.Errorf("severity from the found configuration: exit %d, %s", code, got)
	}
	writeFile(t, conf, `ignore:
  - rule: macho-unsigned
    path: "build/*"
    reason: signed by the release job
`)
	code, out, _ = run(t, "check", "--format", "json", dir)
	if names := findingNames(t, out); code != ExitOK || len(names) != 0 || !strings.Contains(out, `"ignored": 1`) {
		t.Errorf("ignore entry: exit %d, %v", code, names)
	}
	other := filepath.Join(t.TempDir(), "other.yaml")
	writeFile(t, other, "rules:\n  disable: [NL2001]\n")
	code, out, _ = run(t, "check", "--config", other, "--format", "json", dir)
	if names := findingNames(t, out); code != ExitOK || len(names) != 0 || strings.Contains(out, "ignored") {
		t.Errorf("--config disabling the rule: exit %d, %v", code, names)
	}
}

// TestConfigErrors: a broken configuration or baseline, an unknown rule
// and an unwritable output are exit 2 with the file, the line and the
// nearest valid name, before any input is read.
func TestConfigErrors(t *testing.T) {
	_, dir := unsignedTree(t)
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, "rules:\n  disable:\n    - legacy-slice\n")
	missing := filepath.Join(t.TempDir(), "no-such-input")
	baseline := filepath.Join(t.TempDir(), "base.json")
	writeFile(t, baseline, "{\n  \"tool\": \"notarylint\",\n  \"baseline_version\": 1,\n  \"findings\": [\n    {\"fingerprint\": 12}\n  ]\n}\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--config", bad, missing}, bad + `:3: unknown rule "legacy-slice" (did you mean "legacy-slices"?)`},
		{[]string{"check", "--enable", "macho-unsinged", missing}, `unknown rule "macho-unsinged" (did you mean "macho-unsigned"?)`},
		{[]string{"check", "--baseline", baseline, missing}, baseline + ":5: not a notarylint baseline"},
		{[]string{"check", "--format", "json=" + filepath.Join(missing, "out.json"), missing}, "--format json: open"},
		{[]string{"check", "--format", "json=a.json", "--format", "sarif=a.json", dir}, "both write a.json"},
		{[]string{"config", "verify", bad}, bad + ":3:"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestBaseline: --write-baseline records every finding and exits 0; with
// --baseline the same findings are not reported, from another directory
// too.
func TestBaseline(t *testing.T) {
	_, dir := unsignedTree(t)
	base := filepath.Join(t.TempDir(), "notarylint-baseline.json")
	if code, _, stderr := run(t, "check", "--write-baseline", base, dir); code != ExitOK || !strings.Contains(stderr, "wrote 1 findings") {
		t.Fatalf("write: exit %d %s", code, stderr)
	}
	b, err := config.LoadBaseline(base)
	if err != nil || len(b.Findings) != 1 || b.Findings[0].Name != "macho-unsigned" {
		t.Fatalf("baseline %+v %v", b, err)
	}
	// The same tool in another directory (named like the first).
	_, moved := unsignedTree(t)
	for _, d := range []string{dir, moved} {
		code, out, _ := run(t, "check", "--baseline", base, "--format", "json", d)
		if names := findingNames(t, out); code != ExitOK || len(names) != 0 || !strings.Contains(out, `"baselined": 1`) {
			t.Errorf("%s with the baseline: exit %d, %v", d, code, names)
		}
	}
}

// TestConfigInitVerify: init writes the template (once), verify accepts
// it, and the schema command prints docs/notarylint.schema.json.
func TestConfigInitVerify(t *testing.T) {
	p := filepath.Join(t.TempDir(), config.FileName)
	if code, out, _ := run(t, "config", "init", p); code != ExitOK || !strings.Contains(out, "wrote") {
		t.Fatalf("init: %d %s", code, out)
	}
	if code, _, stderr := run(t, "config", "init", p); code != ExitUsage || !strings.Contains(stderr, "--force") {
		t.Errorf("init over an existing file: %d %s", code, stderr)
	}
	if code, out, _ := run(t, "config", "verify", p); code != ExitOK || !strings.Contains(out, ": ok") {
		t.Errorf("verify: %d %s", code, out)
	}
	if code, out, _ := run(t, "config", "init", "-"); code != ExitOK || out != config.Template {
		t.Errorf("init -: %d", code)
	}
	_, schema, _ := run(t, "config", "schema")
	committed, err := os.ReadFile("../../docs/notarylint.schema.json")
	if err != nil || string(committed) != schema {
		t.Errorf("docs/notarylint.schema.json is stale: go run ./cmd/notarylint config schema > docs/notarylint.schema.json")
	}
}
