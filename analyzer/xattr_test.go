package analyzer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/macho"
)

// TestNestedCodeFromXattrs checks that a data file signed into extended
// attributes (as codesign signs scripts in Contents/MacOS) counts as signed
// nested code with the cdhash of its stored CodeDirectory.
func TestNestedCodeFromXattrs(t *testing.T) {
	exe := fixture.MustBytes(t, fixture.MachO{Signature: &fixture.Signature{Identifier: "script"}})
	f, err := macho.Open(bytes.NewReader(exe), int64(len(exe)))
	if err != nil {
		t.Fatal(err)
	}
	cs := f.Slices[0].CodeSignature
	sig, err := codesign.Parse(exe[cs.DataOff : cs.DataOff+cs.DataSize])
	if err != nil {
		t.Fatal(err)
	}
	cd := sig.Primary()

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "script.sh"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "data.json"), []byte("{}"), 0o644)
	readXattr := func(p, name string) ([]byte, error) {
		if filepath.Base(p) == "script.sh" && name == "com.apple.cs.CodeDirectory" {
			return cd.Raw, nil
		}
		return nil, os.ErrNotExist
	}
	it := &Item{Input: dir, fsys: os.DirFS(dir), osDir: dir, machos: newPathSet()}
	isMachO := func(string) bool { return false }
	nc, ok := nestedCode(it, "script.sh", false, isMachO, readXattr)
	if !ok || !nc.Signed || len(nc.CDHashes) != 1 || !bytes.Equal(nc.CDHashes[0], cd.CDHash()) || nc.Identifier != "script" {
		t.Errorf("script: %+v, %v", nc, ok)
	}
	if nc, ok := nestedCode(it, "data.json", false, isMachO, readXattr); ok {
		t.Errorf("unsigned data counted as code: %+v", nc)
	}
}
