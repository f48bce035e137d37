package apfs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/notarylint/notarylint/dmg/apfs"
	"github.com/notarylint/notarylint/internal/fixture"
)

// tree writes a test tree under a new directory and returns it.
func tree(t testing.TB, many int) string {
	t.Helper()
	dir := t.TempDir()
	w := func(p string, data []byte, mode os.FileMode) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]byte, 3*4096+123)
	for i := range big {
		big[i] = byte(i * 7)
	}
	w("App.app/Contents/MacOS/App", []byte("\xcf\xfa\xed\xfe fake mach-o"), 0o755)
	w("App.app/Contents/Info.plist", []byte("<plist/>"), 0o644)
	w("App.app/Contents/Resources/big.bin", big, 0o600)
	w("empty", nil, 0o644)
	w("Café/naïve.txt", []byte("nfc name"), 0o644)
	w("compressed.txt", bytes.Repeat([]byte("compress me "), 200), 0o644)
	w("orig", []byte("linked content"), 0o644)
	if err := os.Mkdir(filepath.Join(dir, "emptydir"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{
		{"App.app/Contents/MacOS/App", "rel"},
		{"/App.app/Contents/Info.plist", "abs"},
		{"nowhere", "dangling"},
		{"loop2", "loop1"},
		{"loop1", "loop2"},
		{"App.app/Contents", "contents"},
	} {
		if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	for i := range many {
		w(fmt.Sprintf("many/file%04d", i), []byte(fmt.Sprintf("content %d", i)), 0o644)
	}
	return dir
}

var finderInfo = append([]byte("APPLMACS"), make([]byte, 24)...)

func options(cs bool) fixture.APFSOptions {
	rsrc := make([]byte, 9000)
	for i := range rsrc {
		rsrc[i] = byte(i % 251)
	}
	return fixture.APFSOptions{
		VolumeName:    "Round Trip",
		CaseSensitive: cs,
		FinderInfo:    map[string][]byte{"App.app": finderInfo, "orig": make([]byte, 32)},
		ResourceFork:  map[string][]byte{"App.app/Contents/Info.plist": rsrc, "empty": []byte("small fork")},
		Xattrs:        map[string]map[string][]byte{"orig": {"com.example.tag": []byte("v1"), "com.example.other": []byte("v2")}},
		HardLinks:     map[string]string{"App.app/hardlink": "orig", "emptydir/second": "orig"},
		Compressed:    []string{"compressed.txt"},
	}
}

func open(t testing.TB, img []byte) *apfs.FS {
	t.Helper()
	f, err := apfs.Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f
}

func readFile(t *testing.T, f fs.FS, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(f, name)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	return b
}

// expected walks dir on disk: path → sha256 of contents ("dir" for
// directories, "-> target" for symlinks).
func expected(t *testing.T, dir string) map[string]string {
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			m[rel] = "-> " + target
		case d.IsDir():
			m[rel] = "dir"
		default:
			b, _ := os.ReadFile(p)
			m[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// actual walks the volume the same way.
func actual(t *testing.T, f *apfs.FS) map[string]string {
	m := map[string]string{}
	err := fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := f.ReadLink(p)
			if err != nil {
				return err
			}
			m[p] = "-> " + target
		case d.IsDir():
			m[p] = "dir"
		default:
			info, err := d.Info()
			if err != nil {
				return err
			}
			if info.Sys().(*apfs.Entry).Compressed {
				m[p] = "compressed"
				return nil
			}
			b, err := fs.ReadFile(f, p)
			if err != nil {
				return err
			}
			if int64(len(b)) != info.Size() {
				t.Errorf("%s: read %d bytes, size %d", p, len(b), info.Size())
			}
			m[p] = fmt.Sprintf("%x", sha256.Sum256(b))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("WalkDir: %v", err)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	for _, cs := range []bool{false, true} {
		t.Run(fmt.Sprintf("caseSensitive=%v", cs), func(t *testing.T) {
			dir := tree(t, 300)
			img := fixture.APFS(t, dir, options(cs))
			f := open(t, img)
			if f.VolumeName() != "Round Trip" {
				t.Errorf("VolumeName = %q", f.VolumeName())
			}
			if f.CaseSensitive() != cs {
				t.Errorf("CaseSensitive = %v", f.CaseSensitive())
			}
			names, err := f.VolumeNames()
			if err != nil || len(names) != 1 || names[0] != "Round Trip" {
				t.Errorf("VolumeNames = %q, %v", names, err)
			}
			want := expected(t, dir)
			want["compressed.txt"] = "compressed"
			want["App.app/hardlink"] = want["orig"]
			want["emptydir/second"] = want["orig"]
			got := actual(t, f)
			for p, w := range want {
				if got[p] != w {
					t.Errorf("%s: got %q, want %q", p, got[p], w)
				}
			}
			for p := range got {
				if _, ok := want[p]; !ok {
					t.Errorf("unexpected %s", p)
				}
			}
			if len(got) != len(want) || len(got) < 320 {
				t.Errorf("%d entries, want %d", len(got), len(want))
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	dir := tree(t, 0)
	f := open(t, fixture.APFS(t, dir, options(false)))

	info, err := f.Stat("App.app/Contents/MacOS/App")
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode() != 0o755 || info.Size() != 16 || info.Name() != "App" {
		t.Errorf("App: mode %v size %d name %q", info.Mode(), info.Size(), info.Name())
	}
	if !info.ModTime().Equal(fixture.APFSTime) {
		t.Errorf("ModTime = %v, want %v", info.ModTime(), fixture.APFSTime)
	}
	e := info.Sys().(*apfs.Entry)
	if e.NLink != 1 || e.Compressed || e.UID != 501 || e.Mode != 0o100755 || e.ObjID < 16 {
		t.Errorf("Entry = %+v", e)
	}
	if info, err := f.Stat("App.app/Contents/Resources/big.bin"); err != nil || info.Mode() != 0o600 || info.Size() != 3*4096+123 {
		t.Errorf("big.bin: %v %v", info, err)
	}
	if info, err := f.Stat("emptydir"); err != nil || info.Mode() != fs.ModeDir|0o700 || !info.IsDir() {
		t.Errorf("emptydir: %v %v", info, err)
	} else if n := info.Sys().(*apfs.Entry).NLink; n != 1 {
		t.Errorf("emptydir children = %d, want 1", n)
	}
	if info, err := f.Stat("."); err != nil || !info.IsDir() || info.Name() != "." {
		t.Errorf("root: %v %v", info, err)
	}
	if b := readFile(t, f, "empty"); len(b) != 0 {
		t.Errorf("empty: %d bytes", len(b))
	}

	// Hard links: one inode, three names.
	a, _ := f.Stat("orig")
	b, _ := f.Stat("App.app/hardlink")
	c, _ := f.Stat("emptydir/second")
	ea, eb, ec := a.Sys().(*apfs.Entry), b.Sys().(*apfs.Entry), c.Sys().(*apfs.Entry)
	if ea.ObjID != eb.ObjID || ea.ObjID != ec.ObjID || ea.NLink != 3 {
		t.Errorf("hard links: ids %d %d %d nlink %d", ea.ObjID, eb.ObjID, ec.ObjID, ea.NLink)
	}
	if string(readFile(t, f, "emptydir/second")) != "linked content" {
		t.Error("hard link contents differ")
	}

	// Symbolic links.
	if target, err := f.ReadLink("rel"); err != nil || target != "App.app/Contents/MacOS/App" {
		t.Errorf("ReadLink(rel) = %q, %v", target, err)
	}
	if l, err := f.Lstat("abs"); err != nil || l.Mode().Type() != fs.ModeSymlink || l.Size() != int64(len("/App.app/Contents/Info.plist")) {
		t.Errorf("Lstat(abs) = %v, %v", l, err)
	}
	if string(readFile(t, f, "abs")) != "<plist/>" {
		t.Error("absolute symlink not followed inside the volume")
	}
	if string(readFile(t, f, "contents/Info.plist")) != "<plist/>" {
		t.Error("symlinked directory not followed")
	}
	if s, err := f.Stat("rel"); err != nil || s.Mode() != 0o755 || s.Name() != "rel" {
		t.Errorf("Stat(rel) = %v, %v", s, err)
	}
	if _, err := f.Stat("dangling"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(dangling) = %v, want ErrNotExist", err)
	}
	if _, err := f.Open("loop1"); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("Open(loop1) = %v, want a loop error", err)
	}
	if _, err := f.ReadLink("orig"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadLink(orig) = %v", err)
	}

	// Attributes.
	if fi, err := f.Xattr("App.app", "com.apple.FinderInfo"); err != nil || !bytes.Equal(fi, finderInfo) {
		t.Errorf("FinderInfo = %q, %v", fi, err)
	}
	if fi, err := f.Xattr("orig", "com.apple.FinderInfo"); err != nil || fi != nil {
		t.Errorf("all-zero FinderInfo = %q, %v; want nil", fi, err)
	}
	rsrc, err := f.Xattr("App.app/Contents/Info.plist", "com.apple.ResourceFork")
	if err != nil || len(rsrc) != 9000 || rsrc[8999] != byte(8999%251) {
		t.Errorf("resource fork: %d bytes, %v", len(rsrc), err)
	}
	if r, err := f.Xattr("empty", "com.apple.ResourceFork"); err != nil || string(r) != "small fork" {
		t.Errorf("inline resource fork = %q, %v", r, err)
	}
	if v, err := f.Xattr("orig", "com.example.tag"); err != nil || string(v) != "v1" {
		t.Errorf("xattr = %q, %v", v, err)
	}
	if v, err := f.Xattr("orig", "com.example.none"); err != nil || v != nil {
		t.Errorf("absent xattr = %q, %v", v, err)
	}
	if n, err := f.XattrNames("orig"); err != nil || strings.Join(n, ",") != "com.apple.FinderInfo,com.example.other,com.example.tag" {
		t.Errorf("XattrNames = %q, %v", n, err)
	}
	if n, err := f.XattrNames("rel"); err != nil || strings.Join(n, ",") != "com.apple.fs.symlink" {
		t.Errorf("XattrNames(symlink) = %q, %v", n, err)
	}

	// Compression.
	ci, err := f.Stat("compressed.txt")
	if err != nil || !ci.Sys().(*apfs.Entry).Compressed || ci.Size() != 2400 {
		t.Errorf("compressed: %v, %v", ci, err)
	}
	cf, err := f.Open("compressed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(cf); !errors.Is(err, apfs.ErrCompressed) {
		t.Errorf("reading compressed file: %v, want ErrCompressed", err)
	}

	// Files are ReaderAt and Seeker.
	fl, err := f.Open("App.app/Contents/Resources/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	n, err := fl.(io.ReaderAt).ReadAt(buf, 4096*3+120)
	if n != 3 || err != io.EOF || buf[0] != byte((4096*3+120)*7%256) {
		t.Errorf("ReadAt near the end: %d, %v, %x", n, err, buf[:n])
	}
	if pos, err := fl.(io.Seeker).Seek(-3, io.SeekEnd); err != nil || pos != 3*4096+120 {
		t.Errorf("Seek = %d, %v", pos, err)
	}
	if n, _ := fl.Read(buf); n != 3 {
		t.Errorf("Read after Seek = %d", n)
	}
	if _, err := f.Open("../x"); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("Open(../x) = %v", err)
	}
}

func TestLookupCase(t *testing.T) {
	dir := tree(t, 0)
	ci := open(t, fixture.APFS(t, dir, options(false)))
	cs := open(t, fixture.APFS(t, dir, options(true)))
	nfd := "Cafe\u0301/nai\u0308ve.txt"
	for _, name := range []string{"app.APP/contents/info.PLIST", "CAFÉ/NAÏVE.TXT"} {
		if _, err := ci.Stat(name); err != nil {
			t.Errorf("case-insensitive Stat(%q): %v", name, err)
		}
		if _, err := cs.Stat(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("case-sensitive Stat(%q) = %v, want ErrNotExist", name, err)
		}
	}
	// Both volumes are normalization-insensitive.
	for _, f := range []*apfs.FS{ci, cs} {
		if b, err := fs.ReadFile(f, nfd); err != nil || string(b) != "nfc name" {
			t.Errorf("NFD lookup: %q, %v", b, err)
		}
	}
	// ReadDir returns names as stored.
	ents, err := ci.ReadDir("Café")
	if err != nil || len(ents) != 1 || ents[0].Name() != "naïve.txt" {
		t.Errorf("ReadDir(Café) = %v, %v", ents, err)
	}
}

func TestFSTest(t *testing.T) {
	dir := tree(t, 40)
	// fstest reads every file: leave out the compressed one and the
	// symlinks it cannot follow.
	opts := options(false)
	opts.Compressed = nil
	for _, n := range []string{"loop1", "loop2", "dangling"} {
		os.Remove(filepath.Join(dir, n))
	}
	f := open(t, fixture.APFS(t, dir, opts))
	if err := fstest.TestFS(f, "App.app/Contents/MacOS/App", "many/file0039", "orig", "emptydir/second", "rel", "contents"); err != nil {
		t.Fatal(err)
	}
}

func TestMkapfs(t *testing.T) {
	if _, err := exec.LookPath("mkapfs"); err != nil {
		t.Skip("mkapfs not installed")
	}
	img := filepath.Join(t.TempDir(), "apfs.img")
	if err := os.Truncate(createFile(t, img), 128<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkapfs", "-L", "TestVol", img).CombinedOutput(); err != nil {
		t.Fatalf("mkapfs: %v\n%s", err, out)
	}
	fh, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := apfs.Open(fh, 128<<20)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if f.VolumeName() != "TestVol" {
		t.Errorf("VolumeName = %q", f.VolumeName())
	}
	if f.CaseSensitive() {
		t.Error("mkapfs's default volume read as case-sensitive")
	}
	ents, err := f.ReadDir(".")
	if err != nil || len(ents) != 0 {
		t.Errorf("root = %v, %v; want empty", ents, err)
	}
	info, err := f.Stat(".")
	if err != nil || !info.IsDir() || info.Sys().(*apfs.Entry).ObjID != 2 {
		t.Errorf("Stat(.) = %v, %v", info, err)
	}
	if _, err := f.Stat("x"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(x) = %v", err)
	}
}

func createFile(t *testing.T, p string) string {
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	fh.Close()
	return p
}

// objects returns the blocks of img holding objects of type typ (low 16
// bits) and subtype sub.
func objects(img []byte, typ, sub uint32) []int {
	var out []int
	for b := 0; (b+1)*4096 <= len(img); b++ {
		blk := img[b*4096:]
		if binary.LittleEndian.Uint32(blk[24:])&0xffff == typ && binary.LittleEndian.Uint32(blk[28:]) == sub && apfs.Checksum(blk[:4096]) == binary.LittleEndian.Uint64(blk) && binary.LittleEndian.Uint64(blk) != 0 {
			out = append(out, b)
		}
	}
	return out
}

func reseal(blk []byte) {
	binary.LittleEndian.PutUint64(blk, apfs.Checksum(blk[:4096]))
}

func TestIndexNodes(t *testing.T) {
	img := fixture.APFS(t, tree(t, 300), options(false))
	roots := objects(img, 2, 0x0e)
	nodes := objects(img, 3, 0x0e)
	if len(roots) != 1 || len(nodes) < 10 {
		t.Fatalf("fs tree: %d roots, %d other nodes", len(roots), len(nodes))
	}
	if level := binary.LittleEndian.Uint16(img[roots[0]*4096+34:]); level == 0 {
		t.Fatal("root of a 300-file tree is a leaf")
	}
	f := open(t, img)
	if b := readFile(t, f, "many/file0299"); string(b) != "content 299" {
		t.Errorf("file0299 = %q", b)
	}
}

func TestCorruptNode(t *testing.T) {
	img := fixture.APFS(t, tree(t, 300), options(false))
	nodes := objects(img, 3, 0x0e)
	bno := nodes[len(nodes)/2]
	img[bno*4096+200] ^= 0x40
	f, err := apfs.Open(bytes.NewReader(img), int64(len(img)))
	if err == nil {
		err = readAll(f)
	}
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("block %d: checksum mismatch", bno)) || !errors.Is(err, apfs.ErrFormat) {
		t.Fatalf("err = %v, want a checksum error naming block %d", err, bno)
	}
}

func TestEncrypted(t *testing.T) {
	img := fixture.APFS(t, tree(t, 0), options(false))
	vols := objects(img, 0x0d, 0)
	if len(vols) != 1 {
		t.Fatalf("%d volume superblocks", len(vols))
	}
	blk := img[vols[0]*4096:]
	binary.LittleEndian.PutUint64(blk[0x108:], 0) // clear APFS_FS_UNENCRYPTED
	reseal(blk)
	if _, err := apfs.Open(bytes.NewReader(img), int64(len(img))); !errors.Is(err, apfs.ErrEncrypted) {
		t.Fatalf("Open = %v, want ErrEncrypted", err)
	}
}

func TestCheckpoint(t *testing.T) {
	img := fixture.APFS(t, tree(t, 0), options(false))
	// A newer checkpoint superblock in descriptor block 3 whose object map
	// is block 0: Open must pick it (and fail on the map).
	newer := bytes.Clone(img[:4096])
	binary.LittleEndian.PutUint64(newer[16:], 9)  // xid
	binary.LittleEndian.PutUint64(newer[160:], 0) // nx_omap_oid
	reseal(newer)
	bad := bytes.Clone(img)
	copy(bad[3*4096:], newer)
	if _, err := apfs.Open(bytes.NewReader(bad), int64(len(bad))); err == nil || !strings.Contains(err.Error(), "object map at block 0") {
		t.Errorf("Open with a newer checkpoint = %v, want it to use that checkpoint's map", err)
	}
	// The same with a bad checksum is ignored.
	newer[100] ^= 1
	copy(bad[3*4096:], newer)
	if _, err := apfs.Open(bytes.NewReader(bad), int64(len(bad))); err != nil {
		t.Errorf("Open with a corrupt newer checkpoint: %v", err)
	}
	// A damaged block 0 is tolerated when the checkpoint is valid, not
	// on its own.
	bad = bytes.Clone(img)
	bad[0] ^= 1
	if _, err := apfs.Open(bytes.NewReader(bad), int64(len(bad))); err != nil {
		t.Errorf("Open with a corrupt block 0 and a valid checkpoint: %v", err)
	}
	clear(bad[2*4096 : 3*4096]) // the checkpoint's superblock
	if _, err := apfs.Open(bytes.NewReader(bad), int64(len(bad))); err == nil || !strings.Contains(err.Error(), "block 0: checksum mismatch") {
		t.Errorf("Open with only a corrupt block 0 = %v", err)
	}
	// Truncated images fail, naming what is missing.
	if _, err := apfs.Open(bytes.NewReader(img[:600*4096]), 600*4096); err == nil {
		t.Error("Open of a truncated image succeeded")
	}
}

func TestSevenZip(t *testing.T) {
	if _, err := exec.LookPath("7zz"); err != nil {
		t.Skip("7zz not installed")
	}
	dir := tree(t, 30)
	img := filepath.Join(t.TempDir(), "v.img")
	if err := os.WriteFile(img, fixture.APFS(t, dir, options(false)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("7zz", "l", "-slt", img).CombinedOutput()
	if err != nil {
		t.Fatalf("7zz l: %v\n%s", err, out)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(line), "Path = "); ok && p != img {
			listed[p] = true
		}
	}
	want := expected(t, dir)
	delete(want, ".")
	want["App.app/hardlink"] = "x"
	want["emptydir/second"] = "x"
	for p := range want {
		if !listed[p] {
			t.Errorf("7zz does not list %s", p)
		}
	}
	if len(listed) != len(want) {
		t.Errorf("7zz lists %d paths, want %d", len(listed), len(want))
	}
	for _, p := range []string{"App.app/Contents/Resources/big.bin", "many/file0007", "compressed.txt", "emptydir/second", "Café/naïve.txt"} {
		got, err := exec.Command("7zz", "e", "-so", "-sns-", img, p).Output()
		if err != nil {
			t.Errorf("7zz e %s: %v", p, err)
			continue
		}
		src := "orig"
		if p != "emptydir/second" {
			src = p
		}
		wantB, _ := os.ReadFile(filepath.Join(dir, src))
		if !bytes.Equal(got, wantB) {
			t.Errorf("7zz e %s: %d bytes differ from the %d written", p, len(got), len(wantB))
		}
	}
}

// readAll stats every entry of f and reads every file, returning the first
// error.
func readAll(f *apfs.FS) error {
	return fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() && !info.Sys().(*apfs.Entry).Compressed {
			_, err = fs.ReadFile(f, p)
		}
		return err
	})
}
