package hfs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/dmg/hfs"
)

// apmHFS returns the bytes of the first Apple_HFS partition of an Apple
// partition map disk: entries are 512-byte blocks from block 1, signature
// "PM", pmMapBlkCnt at 4, pmPyPartStart at 8, pmPartBlkCnt at 12,
// pmPartName at 16 and pmParType at 48 (32-byte strings).
func apmHFS(t *testing.T, disk []byte) []byte {
	t.Helper()
	be := binary.BigEndian
	if len(disk) < 1024 || string(disk[512:514]) != "PM" {
		t.Fatal("no Apple partition map")
	}
	count := int(be.Uint32(disk[512+4:]))
	for i := 1; i <= count && (i+1)*512 <= len(disk); i++ {
		e := disk[i*512:]
		if string(e[:2]) != "PM" {
			t.Fatalf("APM entry %d: signature %q", i, e[:2])
		}
		typ := string(bytes.TrimRight(e[48:80], "\x00"))
		if typ != "Apple_HFS" {
			continue
		}
		start, n := int64(be.Uint32(e[8:]))*512, int64(be.Uint32(e[12:]))*512
		if start+n > int64(len(disk)) {
			t.Fatalf("APM entry %d: partition %d+%d past the %d-byte disk", i, start, n, len(disk))
		}
		return disk[start : start+n]
	}
	t.Fatal("no Apple_HFS partition")
	return nil
}

// xorrisoVolume builds an HFS+ volume of root with xorriso and returns the
// Apple_HFS partition.
func xorrisoVolume(t *testing.T, root string) []byte {
	t.Helper()
	if _, err := exec.LookPath("xorriso"); err != nil {
		t.Skip("xorriso not installed")
	}
	iso := filepath.Join(t.TempDir(), "hello.iso")
	out, err := exec.Command("xorriso", "-as", "mkisofs", "-hfsplus", "-V", "Hello", "-o", iso, root).CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso: %v\n%s", err, out)
	}
	disk, err := os.ReadFile(iso)
	if err != nil {
		t.Fatal(err)
	}
	return apmHFS(t, disk)
}

// tree is what a walk finds: file contents, link targets ("-> target")
// and folders ("/").
func walkTree(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		switch {
		case d.IsDir():
			got[p] = "/"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, p)
			if err != nil {
				return err
			}
			got[p] = "-> " + target
		default:
			b, err := fs.ReadFile(fsys, p)
			if errors.Is(err, hfs.ErrCompressed) {
				got[p] = "(compressed)"
				return nil
			}
			if err != nil {
				return err
			}
			got[p] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return got
}

// diskTree is walkTree of a directory on disk.
func diskTree(t *testing.T, root string) map[string]string {
	t.Helper()
	want := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		switch {
		case d.IsDir():
			want[rel] = "/"
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			want[rel] = "-> " + target
			return err
		default:
			b, err := os.ReadFile(p)
			want[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestXorriso reads a volume xorriso made and compares it with the tree
// it was made from: paths, contents and link targets.
func TestXorriso(t *testing.T) {
	root := t.TempDir()
	mk := func(name, data string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mk("a.txt", "hello\n")
	mk("App.app/Contents/Info.plist", "<plist/>")
	mk("App.app/Contents/MacOS/App", strings.Repeat("\xcf\xfa\xed\xfe binary ", 3000))
	mk("sub/deeper/empty", "")
	mk("caf\u00e9", "nfc name")
	for i := range 40 {
		mk(filepath.Join("many", strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('0'+i/26))), strings.Repeat("y", i))
	}
	for name, target := range map[string]string{"sub/link": "../a.txt", "abs": "/etc/passwd", "dangling": "nowhere"} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	vol := xorrisoVolume(t, root)
	fsys, err := hfs.Open(bytes.NewReader(vol), int64(len(vol)))
	if err != nil {
		t.Fatal(err)
	}
	if fsys.VolumeName() != "Hello" {
		t.Errorf("volume name %q", fsys.VolumeName())
	}
	got := walkTree(t, fsys)
	want := diskTree(t, root)
	for p, w := range want {
		g, ok := got[p]
		if !ok {
			// xorriso may store the name decomposed.
			for gp := range got {
				if strings.EqualFold(gp, p) || gp == strings.ReplaceAll(p, "\u00e9", "e\u0301") {
					g, ok = got[gp], true
					delete(got, gp)
				}
			}
		} else {
			delete(got, p)
		}
		if !ok {
			t.Errorf("%s missing", p)
		} else if g != w {
			t.Errorf("%s: got %.40q, want %.40q", p, g, w)
		}
	}
	for p := range got {
		t.Errorf("unexpected %s", p)
	}
	b, err := fs.ReadFile(fsys, "sub/link")
	if err != nil || string(b) != "hello\n" {
		t.Errorf("through sub/link: %q, %v", b, err)
	}
	if _, err := fsys.Stat("A.TXT"); err != nil {
		t.Errorf("case-insensitive Stat: %v", err)
	}
}

// TestXorrisoSeed reads the committed xorriso volume (testdata/README.md).
func TestXorrisoSeed(t *testing.T) {
	vol, err := readSeedVolume()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := hfs.Open(bytes.NewReader(vol), int64(len(vol)))
	if err != nil {
		t.Fatal(err)
	}
	if fsys.VolumeName() != "Hello" || fsys.BlockSize() != 2048 || fsys.CaseSensitive() {
		t.Errorf("volume %q, block size %d, case-sensitive %v", fsys.VolumeName(), fsys.BlockSize(), fsys.CaseSensitive())
	}
	got := walkTree(t, fsys)
	want := map[string]string{
		"a.txt": "hello\n", "App.app": "/", "App.app/Contents": "/", "App.app/Contents/MacOS": "/",
		"App.app/Contents/MacOS/run": "#!/bin/sh\necho hi\n", "App.app/Contents/link": "-> MacOS/run",
	}
	if !maps.Equal(got, want) {
		t.Errorf("tree %q, want %q", got, want)
	}
	fi, err := fsys.Stat("App.app/Contents/link")
	if err != nil || fi.Mode() != 0o755 || fi.Name() != "link" {
		t.Errorf("Stat through the link: %v, %v", fi, err)
	}
	if v, err := fsys.Xattr("a.txt", "com.apple.cs.CodeDirectory"); v != nil || err != nil {
		t.Errorf("Xattr without an attributes file: %q, %v", v, err)
	}
}
