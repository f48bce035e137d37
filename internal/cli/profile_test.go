package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestProfiles checks that the hidden --cpuprofile and --memprofile flags
// write pprof files (gzip-compressed protobuf) and leave the exit code and
// the report alone, and that an unwritable profile path is a usage error.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	input := realPath(t, "load_osxfuse-fat3")
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	code, stdout, _ := run(t, "check", "--fail-on", "none", "--cpuprofile", cpu, "--memprofile", mem, input)
	if code != ExitOK || !bytes.Contains([]byte(stdout), []byte("sdk-older-than-10.9")) {
		t.Fatalf("exit %d, report %q", code, stdout)
	}
	for _, p := range []string{cpu, mem} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: not a gzip-compressed pprof profile (% x)", filepath.Base(p), b[:min(len(b), 4)])
		}
	}
	code, _, stderr := run(t, "check", "--cpuprofile", filepath.Join(dir, "missing", "cpu.pprof"), input)
	if code != ExitUsage {
		t.Errorf("unwritable --cpuprofile: exit %d, want %d (%s)", code, ExitUsage, stderr)
	}
	if _, stdout, _ := run(t, "check", "--help"); bytes.Contains([]byte(stdout), []byte("cpuprofile")) {
		t.Error("--cpuprofile is listed in check --help; it is a hidden developer flag")
	}
}
