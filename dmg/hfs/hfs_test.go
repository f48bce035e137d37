package hfs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/notarylint/notarylint/dmg/hfs"
	"github.com/notarylint/notarylint/internal/fixture"
	"golang.org/x/text/unicode/norm"
)

// bigData is a deterministic multi-block file content.
func bigData(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/4096)
	}
	return b
}

// makeTree writes the test tree under a new directory.
func makeTree(t *testing.T, many int) string {
	t.Helper()
	root := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", []byte("hello\n"), 0o644)
	write("App.app/Contents/MacOS/App", bigData(50000), 0o755)
	write("App.app/Contents/Info.plist", []byte("<plist/>"), 0o644)
	write("sub/deeper/empty", nil, 0o600)
	write("script.sh", []byte("#!/bin/sh\necho hi\n"), 0o755)
	write("comp.txt", []byte("compressed content"), 0o644)
	write("with:colon", []byte("colon"), 0o644)
	write("caf\u00e9", []byte("accent"), 0o644)
	for i := range many {
		write(fmt.Sprintf("many/file-%03d-%s", i, strings.Repeat("n", i%40)), []byte(fmt.Sprint(i)), 0o644)
	}
	for name, target := range map[string]string{
		"sub/link": "../a.txt", "abs": "/etc/passwd", "dangling": "nowhere",
		"loop1": "loop2", "loop2": "loop1", "dirlink": "sub/deeper", "up": "..",
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

var (
	finderInfo = append([]byte("APPLMACS\x01\x00"), make([]byte, 22)...)
	cdBlob     = bytes.Repeat([]byte{0xfa, 0xde, 0x0c, 0x02}, 100)
)

func options(caseSensitive, fragment bool) fixture.HFSOptions {
	return fixture.HFSOptions{
		VolumeName:    "Test Volume",
		CaseSensitive: caseSensitive,
		Fragment:      fragment,
		FinderInfo:    map[string][]byte{"a.txt": finderInfo, "App.app": finderInfo},
		ResourceFork:  map[string][]byte{"a.txt": bigData(9000)},
		Xattrs: map[string]map[string][]byte{
			"script.sh": {"com.apple.cs.CodeDirectory": cdBlob, "com.apple.cs.CodeSignature": []byte("cms")},
			"App.app":   {"com.apple.quarantine": []byte("0081;")},
		},
		HardLinks:  map[string]string{"hard": "App.app/Contents/MacOS/App", "sub/hard2": "App.app/Contents/MacOS/App"},
		Compressed: []string{"comp.txt"},
	}
}

func openVolume(t *testing.T, b []byte) *hfs.FS {
	t.Helper()
	fsys, err := hfs.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func TestRoundTrip(t *testing.T) {
	root := makeTree(t, 300)
	for _, tc := range []struct {
		name                    string
		caseSensitive, fragment bool
	}{{"HFS+", false, false}, {"HFSX", true, false}, {"fragmented", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			vol := fixture.HFSPlus(t, root, options(tc.caseSensitive, tc.fragment))
			fsys := openVolume(t, vol)
			if fsys.CaseSensitive() != tc.caseSensitive || fsys.HFSX() != tc.caseSensitive {
				t.Errorf("CaseSensitive %v HFSX %v", fsys.CaseSensitive(), fsys.HFSX())
			}
			if fsys.VolumeName() != "Test Volume" || fsys.BlockSize() != 4096 {
				t.Errorf("volume %q, block size %d", fsys.VolumeName(), fsys.BlockSize())
			}
			want := map[string]string{}
			for p, v := range diskTree(t, root) {
				want[norm.NFD.String(p)] = v
			}
			want["comp.txt"] = "(compressed)"
			want["hard"] = string(bigData(50000))
			want["sub/hard2"] = string(bigData(50000))
			got := walkTree(t, fsys)
			if len(got) != len(want) {
				t.Errorf("%d entries, want %d", len(got), len(want))
			}
			for p, w := range want {
				if g, ok := got[p]; !ok {
					t.Errorf("%q missing", p)
				} else if sha256.Sum256([]byte(g)) != sha256.Sum256([]byte(w)) {
					t.Errorf("%s: content %.30q, want %.30q", p, g, w)
				}
			}
			if n := len(mustReadDir(t, fsys, "many")); n != 300 {
				t.Errorf("many: %d entries", n)
			}
			checkDetails(t, fsys, tc.caseSensitive)
		})
	}
}

func mustReadDir(t *testing.T, fsys fs.ReadDirFS, name string) []fs.DirEntry {
	t.Helper()
	ents, err := fsys.ReadDir(name)
	if err != nil {
		t.Fatal(err)
	}
	return ents
}

func entry(t *testing.T, fi fs.FileInfo) *hfs.Entry {
	t.Helper()
	e, ok := fi.Sys().(*hfs.Entry)
	if !ok {
		t.Fatalf("%s: Sys() is %T", fi.Name(), fi.Sys())
	}
	return e
}

func checkDetails(t *testing.T, fsys *hfs.FS, caseSensitive bool) {
	// Names: NFD as stored, ':' back from '/', lookup by NFC too.
	names := []string{}
	for _, d := range mustReadDir(t, fsys, ".") {
		names = append(names, d.Name())
	}
	wantNames := []string{"App.app", "a.txt", "abs", "cafe\u0301", "comp.txt", "dangling", "dirlink", "hard", "loop1", "loop2", "many", "script.sh", "sub", "up", "with:colon"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("root lists %q, want %q", names, wantNames)
	}
	if b, err := fs.ReadFile(fsys, "caf\u00e9"); err != nil || string(b) != "accent" {
		t.Errorf("NFC lookup: %q, %v", b, err)
	}
	if b, err := fs.ReadFile(fsys, "with:colon"); err != nil || string(b) != "colon" {
		t.Errorf("with:colon: %q, %v", b, err)
	}
	// Case.
	_, err := fsys.Stat("APP.APP/contents/INFO.plist")
	if caseSensitive && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("HFSX case-folded lookup: %v", err)
	}
	if !caseSensitive && err != nil {
		t.Errorf("HFS+ case-insensitive lookup: %v", err)
	}
	// Modes, dates, Entry.
	for name, mode := range map[string]fs.FileMode{
		"script.sh": 0o755, "a.txt": 0o644, "sub/deeper/empty": 0o600, "sub": fs.ModeDir | 0o755,
	} {
		fi, err := fsys.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&^fs.ModeDir != mode&^fs.ModeDir || fi.IsDir() != (mode&fs.ModeDir != 0) {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode(), mode)
		}
		if want := time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC); !fi.ModTime().Equal(want) {
			t.Errorf("%s: ModTime %v", name, fi.ModTime())
		}
		if e := entry(t, fi); e.UID != 501 || e.GID != 20 || e.CNID < 16 {
			t.Errorf("%s: entry %+v", name, e)
		}
	}
	fi, err := fsys.Stat("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if e := entry(t, fi); !bytes.Equal(e.FinderInfo[:], finderInfo) || e.ResourceForkSize != 9000 || e.DataForkSize != 6 || fi.Size() != 6 {
		t.Errorf("a.txt entry %+v", e)
	}
	// Hard links: both paths share the inode.
	h1, err1 := fsys.Stat("hard")
	h2, err2 := fsys.Stat("App.app/Contents/MacOS/App")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	e1, e2 := entry(t, h1), entry(t, h2)
	if e1.CNID != e2.CNID || e1.LinkCNID == 0 || e2.LinkCNID == 0 || e1.LinkCNID == e2.LinkCNID || e1.LinkCount != 3 || h1.Mode() != 0o755 || h1.Size() != 50000 {
		t.Errorf("hard link entries %+v %+v", e1, e2)
	}
	if fi, err := fsys.Stat("a.txt"); err != nil || entry(t, fi).LinkCount != 1 || entry(t, fi).LinkCNID != 0 {
		t.Errorf("a.txt link count: %v", err)
	}
	// Compressed.
	fi, err = fsys.Stat("comp.txt")
	if err != nil {
		t.Fatal(err)
	}
	if e := entry(t, fi); !e.Compressed || e.Flags&0x20 == 0 {
		t.Errorf("comp.txt entry %+v", e)
	}
	if _, err := fs.ReadFile(fsys, "comp.txt"); !errors.Is(err, hfs.ErrCompressed) {
		t.Errorf("reading comp.txt: %v", err)
	}
	if v, err := fsys.Xattr("comp.txt", "com.apple.decmpfs"); err != nil || string(v[:4]) != "fpmc" || binary.LittleEndian.Uint64(v[8:]) != 18 {
		t.Errorf("decmpfs: % x, %v", v, err)
	}
	// Extended attributes.
	for _, x := range []struct {
		name, attr string
		want       []byte
	}{
		{"a.txt", "com.apple.FinderInfo", finderInfo},
		{"a.txt", "com.apple.ResourceFork", bigData(9000)},
		{"script.sh", "com.apple.cs.CodeDirectory", cdBlob},
		{"script.sh", "com.apple.cs.CodeSignature", []byte("cms")},
		{"script.sh", "com.apple.FinderInfo", nil},
		{"script.sh", "com.apple.ResourceFork", nil},
		{"script.sh", "com.apple.cs.Absent", nil},
		{"App.app", "com.apple.quarantine", []byte("0081;")},
		{"App.app", "com.apple.FinderInfo", finderInfo},
	} {
		v, err := fsys.Xattr(x.name, x.attr)
		if err != nil || !bytes.Equal(v, x.want) || (v == nil) != (x.want == nil) {
			t.Errorf("Xattr(%s, %s) = %.20q, %v", x.name, x.attr, v, err)
		}
	}
	if n, err := fsys.XattrNames("script.sh"); err != nil || !slices.Equal(n, []string{"com.apple.cs.CodeDirectory", "com.apple.cs.CodeSignature"}) {
		t.Errorf("XattrNames(script.sh) = %q, %v", n, err)
	}
	if n, err := fsys.XattrNames("a.txt"); err != nil || !slices.Equal(n, []string{"com.apple.FinderInfo", "com.apple.ResourceFork"}) {
		t.Errorf("XattrNames(a.txt) = %q, %v", n, err)
	}
	// Symbolic links.
	for name, target := range map[string]string{"sub/link": "../a.txt", "abs": "/etc/passwd", "dangling": "nowhere", "loop1": "loop2", "up": ".."} {
		if got, err := fsys.ReadLink(name); err != nil || got != target {
			t.Errorf("ReadLink(%s) = %q, %v", name, got, err)
		}
		fi, err := fsys.Lstat(name)
		if err != nil || fi.Mode().Type() != fs.ModeSymlink || fi.Size() != int64(len(target)) {
			t.Errorf("Lstat(%s) = %v, %v", name, fi, err)
		}
	}
	if b, err := fs.ReadFile(fsys, "sub/link"); err != nil || string(b) != "hello\n" {
		t.Errorf("through sub/link: %q, %v", b, err)
	}
	if fi, err := fsys.Stat("dirlink/empty"); err != nil || fi.Size() != 0 || fi.Name() != "empty" {
		t.Errorf("through dirlink: %v, %v", fi, err)
	}
	for _, name := range []string{"loop1", "abs", "dangling", "up", "sub/link/x"} {
		if _, err := fsys.Stat(name); err == nil {
			t.Errorf("Stat(%s) succeeded", name)
		}
	}
	if _, err := fsys.ReadLink("a.txt"); err == nil {
		t.Error("ReadLink of a file succeeded")
	}
	for _, bad := range []string{"/a.txt", "a.txt/", "../x", "", "\x00\x00\x00\x00HFS+ Private Data"} {
		if _, err := fsys.Open(bad); err == nil {
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
	// io.ReaderAt and io.Seeker.
	f, err := fsys.Open("App.app/Contents/MacOS/App")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 5000)
	if n, err := f.(io.ReaderAt).ReadAt(buf, 47000); err != io.EOF || n != 3000 || !bytes.Equal(buf[:n], bigData(50000)[47000:]) {
		t.Errorf("ReadAt at the end: %d, %v", n, err)
	}
	if off, err := f.(io.Seeker).Seek(-10, io.SeekEnd); err != nil || off != 49990 {
		t.Errorf("Seek: %d, %v", off, err)
	}
	if b, err := io.ReadAll(f); err != nil || !bytes.Equal(b, bigData(50000)[49990:]) {
		t.Errorf("read after Seek: %d bytes, %v", len(b), err)
	}
}

// TestFSTest runs testing/fstest over a volume without the entries it
// cannot handle (loops, escaping links, a compressed file).
func TestFSTest(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"d/e/f.txt", "g.txt", "many/x1", "many/x2"} {
		os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(root, p), []byte(p), 0o644)
	}
	os.Symlink("d/e", filepath.Join(root, "link"))
	fsys := openVolume(t, fixture.HFSPlus(t, root, fixture.HFSOptions{}))
	if err := fstest.TestFS(fsys, "d/e/f.txt", "g.txt", "many/x1", "link"); err != nil {
		t.Fatal(err)
	}
}
