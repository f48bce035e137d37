package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/notarylint/notarylint/internal/fixture"
)

// treeState records every entry below dir: its mode, modification time
// and, for a regular file, its SHA-256 (symbolic links by their target).
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		s := info.Mode().String() + " " + info.ModTime().UTC().Format(time.RFC3339Nano)
		switch {
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			s += " " + hex.EncodeToString(sum[:])
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			s += " -> " + target
		}
		out[p] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReadOnly: after checking an app, a zip, a package and a disk image
// (with every output format and a baseline written elsewhere), the inputs'
// bytes, modes and modification times are unchanged, nothing was written
// beside them, and no temporary file is left behind.
func TestReadOnly(t *testing.T) {
	in := t.TempDir()
	app := fixture.Bundle{Name: "App.app", Resources: map[string][]byte{"a.txt": []byte("a")}, Sign: &fixture.SignOptions{Adhoc: true}}.Write(t, in)
	if err := os.WriteFile(filepath.Join(in, "App.zip"), fixture.DittoZip(t, app, fixture.DittoOptions{}), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"real-dmg/dummy.dmg", "real-pkg/nudge-launchagent-1.0.1.pkg"} {
		b, err := os.ReadFile(filepath.Join("../../testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, filepath.Base(name)), b, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&fs.ModeSymlink == 0 {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	before := treeState(t, in)
	out := t.TempDir()
	args := []string{"check", "--fail-on", "none", "--write-baseline", filepath.Join(out, "base.json")}
	for _, f := range []string{"json", "sarif", "junit", "checkstyle", "html"} {
		args = append(args, "--format", f+"="+filepath.Join(out, "r."+f))
	}
	args = append(args, app, filepath.Join(in, "App.zip"), filepath.Join(in, "dummy.dmg"), filepath.Join(in, "nudge-launchagent-1.0.1.pkg"))
	if code, _, stderr := run(t, args...); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	after := treeState(t, in)
	for p, s := range before {
		if after[p] != s {
			t.Errorf("%s changed:\n  before %q\n  after  %q", p, s, after[p])
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was written beside the inputs", p)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
