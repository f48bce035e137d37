package apfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/internal/fixture"
)

// fuzzSeed returns a small compact image with a symlink, a hard link,
// attributes and a compressed file.
func fuzzSeed(f testing.TB, cs bool) []byte {
	dir := f.TempDir()
	for p, data := range map[string]string{"a/b": "hello", "c": "world world world", "d/e/f": ""} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.Symlink("a/b", filepath.Join(dir, "l")); err != nil {
		f.Fatal(err)
	}
	return fixture.APFS(f, dir, fixture.APFSOptions{
		CaseSensitive: cs,
		Compact:       true,
		FinderInfo:    map[string][]byte{"a": bytes.Repeat([]byte{1}, 32)},
		ResourceFork:  map[string][]byte{"c": []byte("fork")},
		Xattrs:        map[string]map[string][]byte{"a/b": {"x": []byte("y")}},
		HardLinks:     map[string]string{"d/h": "a/b"},
		Compressed:    []string{"c"},
	})
}

// exercise walks f, reading a bounded prefix of every file, links and
// attributes; it must not panic or hang whatever the image.
func exercise(f *FS) {
	n := 0
	fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if n++; n > 1000 {
			return fs.SkipAll
		}
		d.Info()
		f.Lstat(p)
		f.ReadLink(p)
		f.Xattr(p, xattrFinderInfo)
		f.Xattr(p, xattrResourceFork)
		f.XattrNames(p)
		if file, err := f.Open(p); err == nil {
			io.Copy(io.Discard, io.LimitReader(file, 1<<20))
			if ra, ok := file.(io.ReaderAt); ok {
				ra.ReadAt(make([]byte, 100), 4000)
			}
			file.Close()
		}
		return nil
	})
	f.VolumeNames()
}

func FuzzOpen(f *testing.F) {
	f.Add(fuzzSeed(f, false))
	f.Add(fuzzSeed(f, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := open(bytes.NewReader(b), int64(len(b)), options{skipChecksums: true})
		if err != nil {
			return
		}
		exercise(v)
	})
}

// TestFuzzSeedsVerify checks the fuzz seeds open with checksums verified,
// and that the fuzz harness's exercise reads them without error.
func TestFuzzSeedsVerify(t *testing.T) {
	img := fuzzSeed(t, false)
	v, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(v, "d/h"); err != nil || string(b) != "hello" {
		t.Errorf("d/h = %q, %v", b, err)
	}
	if _, err := fs.ReadFile(v, "c"); !errors.Is(err, ErrCompressed) {
		t.Errorf("c: %v", err)
	}
	exercise(v)
}

func FuzzNode(f *testing.F) {
	img := fuzzSeed(f, false)
	for bno := 0; (bno+1)*4096 <= len(img); bno++ {
		blk := img[bno*4096 : (bno+1)*4096]
		if t := blk[24]; t == objBtree || t == objBtreeNode {
			f.Add(blk, uint8(0))
			f.Add(blk, uint8(1))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, fixed uint8) {
		ks, vs := 0, 0
		if fixed&1 != 0 {
			ks, vs = 16, 16
		}
		n, err := parseNode(b, 7, ks, vs, "fuzz")
		if err != nil {
			return
		}
		for i := 0; i < n.nkeys; i++ {
			k, v, err := n.record(i, "fuzz")
			if err != nil {
				continue
			}
			if len(k) > len(b) || len(v) > len(b) {
				t.Fatalf("record %d: %d+%d bytes from a %d-byte node", i, len(k), len(v), len(b))
			}
		}
	})
}
