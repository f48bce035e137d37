package hfs_test

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/dmg/hfs"
	"github.com/notarylint/notarylint/internal/fixture"
)

// FuzzOpen opens arbitrary bytes as a volume, walks it, reads every file
// (at most 1 MiB each), reads every link and the attributes of every
// entry: it must never panic or hang.
func FuzzOpen(f *testing.F) {
	root := f.TempDir()
	os.MkdirAll(filepath.Join(root, "d"), 0o755)
	os.WriteFile(filepath.Join(root, "d", "f"), []byte("data"), 0o644)
	os.WriteFile(filepath.Join(root, "big"), bigData(40000), 0o644)
	os.WriteFile(filepath.Join(root, "c"), []byte("c"), 0o644)
	os.Symlink("d/f", filepath.Join(root, "l"))
	o := fixture.HFSOptions{
		FinderInfo:   map[string][]byte{"d/f": make([]byte, 32)},
		ResourceFork: map[string][]byte{"d/f": []byte("rsrc")},
		Xattrs:       map[string]map[string][]byte{"d": {"x": []byte("v")}},
		HardLinks:    map[string]string{"h": "d/f"},
		Compressed:   []string{"c"},
	}
	f.Add(fixture.HFSPlus(f, root, o))
	o.CaseSensitive, o.Fragment = true, true
	f.Add(fixture.HFSPlus(f, root, o))
	if seed, err := readSeedVolume(); err == nil {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys, err := hfs.Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			fsys.XattrNames(p)
			for _, a := range []string{"com.apple.FinderInfo", "com.apple.ResourceFork", "com.apple.decmpfs", "x"} {
				fsys.Xattr(p, a)
			}
			if d.Type()&fs.ModeSymlink != 0 {
				fsys.ReadLink(p)
				fsys.Stat(p)
				return nil
			}
			if !d.IsDir() {
				if fl, err := fsys.Open(p); err == nil {
					io.Copy(io.Discard, io.LimitReader(fl, 1<<20))
					fl.Close()
				}
			}
			return nil
		})
	})
}
