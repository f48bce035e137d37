package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
)

type zent struct {
	name  string
	data  string
	mode  fs.FileMode
	store bool
}

func makeZip(t testing.TB, ents []zent) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range ents {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		fw, err := w.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(e.data))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipFS(t *testing.T) {
	ad := appleDouble(map[string][]byte{"com.apple.cs.CodeDirectory": []byte("cd")}, []string{"com.apple.cs.CodeDirectory"})
	b := makeZip(t, []zent{
		{name: "App.app/", mode: fs.ModeDir | 0o755},
		{name: "App.app/Contents/MacOS/App", data: "\xcf\xfa\xed\xfe binary", mode: 0o755, store: true},
		{name: "App.app/Contents/Resources/big.txt", data: strings.Repeat("x", 100000)},
		{name: "App.app/Contents/Frameworks/K.framework/Versions/Current", data: "A", mode: fs.ModeSymlink | 0o755},
		{name: "__MACOSX/App.app/Contents/Resources/._big.txt", data: string(ad)},
		{name: "../evil", data: "x"},
		{name: "/abs", data: "x"},
		{name: "App.app/Contents/Resources/big.txt", data: "dup"},
	})
	z, err := OpenZip(bytes.NewReader(b), int64(len(b)), NewBudget(DefaultLimits))
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Problems) != 3 {
		t.Errorf("problems = %+v, want unsafe ../evil, /abs and the duplicate", z.Problems)
	}
	if _, err := fs.Stat(z, "__MACOSX"); err == nil {
		t.Error("__MACOSX is served as a directory")
	}
	exe, err := z.Open("App.app/Contents/MacOS/App")
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4)
	if _, err := exe.(io.ReaderAt).ReadAt(head, 0); err != nil || string(head) != "\xcf\xfa\xed\xfe" {
		t.Errorf("stored ReadAt = %q, %v", head, err)
	}
	big, _ := z.Open("App.app/Contents/Resources/big.txt")
	buf := make([]byte, 10)
	if n, err := big.(io.ReaderAt).ReadAt(buf, 99990); err != nil || n != 10 || string(buf) != "xxxxxxxxxx" {
		t.Errorf("deflated ReadAt = %q, %v", buf[:n], err)
	}
	if fi, err := fs.Lstat(z, "App.app/Contents/Frameworks/K.framework/Versions/Current"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("symlink Lstat: %v, %v", fi, err)
	}
	if target, err := fs.ReadLink(z, "App.app/Contents/Frameworks/K.framework/Versions/Current"); err != nil || target != "A" {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
	x, err := z.Xattrs("App.app/Contents/Resources/big.txt")
	if err != nil || x == nil || string(x.Xattrs["com.apple.cs.CodeDirectory"]) != "cd" {
		t.Errorf("Xattrs = %+v, %v", x, err)
	}
	var walked []string
	fs.WalkDir(z, ".", func(p string, d fs.DirEntry, err error) error {
		if !d.IsDir() {
			walked = append(walked, p)
		}
		return err
	})
	if strings.Join(walked, ",") != "App.app/Contents/Frameworks/K.framework/Versions/Current,App.app/Contents/MacOS/App,App.app/Contents/Resources/big.txt" {
		t.Errorf("walk = %v", walked)
	}
}

func TestZipLimits(t *testing.T) {
	bomb := makeZip(t, []zent{{name: "zeros", data: strings.Repeat("\x00", 50<<20)}})
	z, err := OpenZip(bytes.NewReader(bomb), int64(len(bomb)), NewBudget(DefaultLimits))
	if err != nil {
		t.Fatal(err)
	}
	f, _ := z.Open("zeros")
	if _, err := f.(io.ReaderAt).ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrLimit) {
		t.Errorf("bomb ReadAt error %v, want ErrLimit", err)
	}
	if _, err := io.Copy(io.Discard, f); !errors.Is(err, ErrLimit) {
		t.Errorf("bomb Read error %v, want ErrLimit", err)
	}
	small := Limits{MaxDecompressed: 1000, MaxRatio: 1000, MaxMemoryFile: 1 << 20, MaxEntries: 2, MaxDepth: 2}
	three := makeZip(t, []zent{{name: "a"}, {name: "b"}, {name: "c"}})
	if _, err := OpenZip(bytes.NewReader(three), int64(len(three)), NewBudget(small)); !errors.Is(err, ErrLimit) {
		t.Errorf("entry limit: %v", err)
	}
	two := makeZip(t, []zent{{name: "a", data: strings.Repeat("y", 800)}, {name: "b", data: strings.Repeat("z", 800)}})
	z, _ = OpenZip(bytes.NewReader(two), int64(len(two)), NewBudget(small))
	fa, _ := z.Open("a")
	fb, _ := z.Open("b")
	_, ea := io.ReadAll(fa)
	_, eb := io.ReadAll(fb)
	if ea != nil || !errors.Is(eb, ErrLimit) {
		t.Errorf("total budget: a %v, b %v; want only b over the limit", ea, eb)
	}
}

func TestJmodPrefix(t *testing.T) {
	b := append([]byte("JM\x01\x00"), makeZip(t, []zent{{name: "lib/libjli.dylib", data: "\xcf\xfa\xed\xfe"}})...)
	z, err := OpenZip(bytes.NewReader(b), int64(len(b)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(z, "lib/libjli.dylib"); err != nil {
		t.Error(err)
	}
}

func makeTar(t testing.TB, gz bool) []byte {
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	tw := tar.NewWriter(w)
	tw.WriteHeader(&tar.Header{Name: "pkg/bin/tool", Mode: 0o755, Size: 4, Typeflag: tar.TypeReg})
	tw.Write([]byte("\xcf\xfa\xed\xfe"))
	tw.WriteHeader(&tar.Header{Name: "pkg/bin/link", Linkname: "tool", Typeflag: tar.TypeSymlink, Mode: 0o777})
	tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func TestTarAndGzip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		b := makeTar(t, gz)
		var m *MemFS
		var err error
		if gz {
			m, err = OpenGzip(bytes.NewReader(b), NewBudget(DefaultLimits), "pkg.tar.gz")
		} else {
			if !IsTar(b) {
				t.Fatal("IsTar false on a tar")
			}
			m, err = OpenTar(bytes.NewReader(b), NewBudget(DefaultLimits))
		}
		if err != nil {
			t.Fatal(err)
		}
		if target, err := fs.ReadLink(m, "pkg/bin/link"); err != nil || target != "tool" {
			t.Errorf("gz=%v link %q %v", gz, target, err)
		}
		f, err := m.Open("pkg/bin/tool")
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 4)
		f.(io.ReaderAt).ReadAt(head, 0)
		if string(head) != "\xcf\xfa\xed\xfe" || len(m.Problems) != 1 {
			t.Errorf("gz=%v head %q problems %v", gz, head, m.Problems)
		}
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = "libfoo.dylib"
	zw.Write([]byte("\xcf\xfa\xed\xfe single"))
	zw.Close()
	m, err := OpenGzip(bytes.NewReader(buf.Bytes()), nil, "whatever.gz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(m, "libfoo.dylib"); err != nil {
		t.Errorf("single-file gzip not named after its header: %v", err)
	}
}

func FuzzOpenArchive(f *testing.F) {
	f.Add(makeZip(f, []zent{{name: "a/b", data: "x"}, {name: "l", data: "a", mode: fs.ModeSymlink | 0o755}}))
	f.Add(makeTar(f, false))
	f.Add(makeTar(f, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		budget := NewBudget(Limits{MaxDecompressed: 1 << 20, MaxRatio: 100, MaxMemoryFile: 1 << 20, MaxEntries: 1000, MaxDepth: 2})
		var fsys fs.FS
		if z, err := OpenZip(bytes.NewReader(b), int64(len(b)), budget); err == nil {
			fsys = z
		} else if m, err := OpenGzip(bytes.NewReader(b), budget, "x.gz"); err == nil {
			fsys = m
		} else if m, err := OpenTar(bytes.NewReader(b), budget); err == nil {
			fsys = m
		}
		if fsys == nil {
			return
		}
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				fs.ReadLink(fsys, p)
				return nil
			}
			if f, err := fsys.Open(p); err == nil {
				io.Copy(io.Discard, f)
				if ra, ok := f.(io.ReaderAt); ok {
					ra.ReadAt(make([]byte, 16), 0)
				}
				f.Close()
			}
			return nil
		})
	})
}
