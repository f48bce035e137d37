package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDeterministic: the same inputs give byte-identical JSON, SARIF and
// HTML whatever --jobs is, run after run.
func TestDeterministic(t *testing.T) {
	inputs := []string{"../../testdata/real-dmg/dummy.dmg", "../../testdata/real-pkg/nudge-launchagent-1.0.1.pkg", "../../examples", realPath(t, "load_osxfuse-fat3")}
	dir := t.TempDir()
	var first map[string][]byte
	for i, jobs := range []string{"1", "2", "8", "1", "3"} {
		out := map[string]string{"json": filepath.Join(dir, "r.json"), "sarif": filepath.Join(dir, "r.sarif"), "html": filepath.Join(dir, "r.html")}
		args := []string{"check", "--jobs", jobs, "--fail-on", "none"}
		for f, p := range out {
			args = append(args, "--format", f+"="+p)
		}
		if code, _, stderr := run(t, append(args, inputs...)...); code != ExitOK {
			t.Fatalf("--jobs %s: exit %d %s", jobs, code, stderr)
		}
		got := map[string][]byte{}
		for f, p := range out {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			got[f] = b
		}
		if i == 0 {
			first = got
			continue
		}
		for f := range out {
			if string(got[f]) != string(first[f]) {
				t.Errorf("--jobs %s: the %s output differs from the first run's", jobs, f)
			}
		}
	}
}
