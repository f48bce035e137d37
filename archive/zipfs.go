package archive

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Problem is something wrong with an archive's names or layout that is
// reported rather than served.
type Problem struct {
	Name   string // as stored in the archive
	Reason string
}

// ZipFS is a zip archive as a file system. __MACOSX/ AppleDouble entries are
// not files of it: they are the extended attributes of the files they
// describe (Xattrs), as `ditto -x -k` restores them.
type ZipFS struct {
	r      io.ReaderAt
	budget *Budget
	files  map[string]*zip.File
	dirs   map[string]map[string]bool // directory -> child names
	macosx map[string]*zip.File       // path -> its __MACOSX/…/._name entry
	// Problems are the entries that were not served: unsafe or duplicate
	// names, or more entries than the limit allows.
	Problems []Problem
	// Headers are the served entries' headers by path, for checks on how
	// the archive was made (modes, creator host).
	Headers map[string]*zip.FileHeader
	// AppleDouble lists the __MACOSX entries by the path they describe.
	AppleDouble []string
}

// OpenZip opens the zip archive in r. Bytes before the zip (a .jmod's
// "JM\x01\x00", a self-extractor's stub) are allowed.
func OpenZip(r io.ReaderAt, size int64, budget *Budget) (*ZipFS, error) {
	// archive/zip reads the whole central directory before anyone can
	// count it: refuse too many entries from the end record first.
	if n, ok := zipEntryCount(r, size); ok && budget != nil && n > uint64(budget.MaxEntries) {
		return nil, fmt.Errorf("zip: %w: %d entries (limit %d)", ErrLimit, n, budget.MaxEntries)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("zip: %w", err)
	}
	if budget != nil && len(zr.File) > budget.MaxEntries {
		return nil, fmt.Errorf("zip: %w: %d entries (limit %d)", ErrLimit, len(zr.File), budget.MaxEntries)
	}
	z := &ZipFS{
		r: r, budget: budget,
		files:   map[string]*zip.File{},
		dirs:    map[string]map[string]bool{".": {}},
		macosx:  map[string]*zip.File{},
		Headers: map[string]*zip.FileHeader{},
	}
	if err := checkOverlap(zr.File); err != nil {
		return nil, err
	}
	for _, f := range zr.File {
		z.add(f)
	}
	sort.Strings(z.AppleDouble)
	return z, nil
}

// checkOverlap refuses zips whose entries share or overlap their data, the
// trick of non-recursive zip bombs: real archivers never write them.
func checkOverlap(files []*zip.File) error {
	type span struct {
		name       string
		start, end int64
	}
	spans := make([]span, 0, len(files))
	for _, f := range files {
		off, err := f.DataOffset()
		if err != nil {
			return fmt.Errorf("zip: entry %q: %w", f.Name, err)
		}
		spans = append(spans, span{f.Name, off, off + int64(f.CompressedSize64)})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i := 1; i < len(spans); i++ {
		if spans[i].start < spans[i-1].end || (spans[i].start == spans[i-1].start && spans[i].end > spans[i].start) {
			return fmt.Errorf("zip: %w: entries %q and %q overlap", ErrLimit, spans[i-1].name, spans[i].name)
		}
	}
	return nil
}

func (z *ZipFS) add(f *zip.File) {
	name := f.Name
	if rest, ok := strings.CutPrefix(name, "__MACOSX/"); ok {
		dir, base := path.Split(strings.TrimSuffix(rest, "/"))
		if described, ok := strings.CutPrefix(base, "._"); ok && !f.Mode().IsDir() {
			p := path.Join(dir, described)
			z.macosx[p] = f
			z.AppleDouble = append(z.AppleDouble, p)
		}
		return
	}
	isDir := strings.HasSuffix(name, "/") || f.Mode().IsDir()
	clean := strings.TrimSuffix(name, "/")
	switch {
	case clean == "" && isDir:
		return
	case strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || !fs.ValidPath(clean):
		z.Problems = append(z.Problems, Problem{name, "unsafe name (absolute, \"..\", or not a clean relative path)"})
		return
	case z.files[clean] != nil || (!isDir && z.dirs[clean] != nil):
		z.Problems = append(z.Problems, Problem{name, "duplicate name"})
		return
	}
	if isDir {
		z.mkdirAll(clean)
		return
	}
	z.mkdirAll(path.Dir(clean))
	z.dirs[path.Dir(clean)][path.Base(clean)] = true
	z.files[clean] = f
	z.Headers[clean] = &f.FileHeader
}

func (z *ZipFS) mkdirAll(dir string) {
	for dir != "." {
		if z.dirs[dir] == nil {
			z.dirs[dir] = map[string]bool{}
		}
		parent := path.Dir(dir)
		if z.dirs[parent] == nil {
			z.dirs[parent] = map[string]bool{}
		}
		z.dirs[parent][path.Base(dir)] = true
		dir = parent
	}
}

// Open opens a file or directory; regular files implement io.ReaderAt.
func (z *ZipFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f := z.files[name]; f != nil {
		return &lazyFile{info: f.FileInfo(),
			open:   func() (io.ReadCloser, error) { return z.openEntry(f) },
			random: func() (io.ReaderAt, error) { return z.randomAccess(f) },
		}, nil
	}
	if z.dirs[name] != nil {
		return &listedDir{name: name, list: z.ReadDir}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Stat describes a file without following symlinks (zips do not resolve
// them).
func (z *ZipFS) Stat(name string) (fs.FileInfo, error) {
	if f := z.files[name]; f != nil {
		return f.FileInfo(), nil
	}
	if z.dirs[name] != nil {
		return dirInfo(path.Base(name)), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// Lstat is Stat: nothing in a zip is followed.
func (z *ZipFS) Lstat(name string) (fs.FileInfo, error) { return z.Stat(name) }

// ReadLink returns a symlink entry's target (its content).
func (z *ZipFS) ReadLink(name string) (string, error) {
	f := z.files[name]
	if f == nil || f.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	if f.UncompressedSize64 > 4096 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fmt.Errorf("link target of %d bytes", f.UncompressedSize64)}
	}
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 4096))
	return string(b), err
}

// ReadDir lists a directory, sorted by name.
func (z *ZipFS) ReadDir(name string) ([]fs.DirEntry, error) {
	children := z.dirs[name]
	if children == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(children))
	for c := range children {
		p := path.Join(name, c)
		if f := z.files[p]; f != nil {
			out = append(out, fs.FileInfoToDirEntry(f.FileInfo()))
		} else {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(c)))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Xattrs returns the extended attributes a __MACOSX/ AppleDouble entry
// records for the file at name, or nil.
func (z *ZipFS) Xattrs(name string) (*AppleDoubleFile, error) {
	f := z.macosx[name]
	if f == nil {
		return nil, nil
	}
	if f.UncompressedSize64 > 64<<20 {
		return nil, fmt.Errorf("%w: AppleDouble entry for %s of %d bytes", ErrLimit, name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
	if err != nil {
		return nil, err
	}
	return ParseAppleDouble(b)
}

// openEntry streams a zip entry's content, within the budget: the ratio
// is checked before inflating, and inflated bytes count against it.
func (z *ZipFS) openEntry(f *zip.File) (io.ReadCloser, error) {
	if err := z.budget.checkRatio(f.Name, f.CompressedSize64, f.UncompressedSize64); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil || f.Method == zip.Store {
		return rc, err
	}
	return struct {
		io.Reader
		io.Closer
	}{z.budget.Reader(rc), rc}, nil
}

func (z *ZipFS) randomAccess(f *zip.File) (io.ReaderAt, error) {
	size := int64(f.UncompressedSize64)
	if f.Method == zip.Store {
		off, err := f.DataOffset()
		if err != nil {
			return nil, err
		}
		return io.NewSectionReader(z.r, off, size), nil
	}
	if err := z.budget.checkRatio(f.Name, f.CompressedSize64, f.UncompressedSize64); err != nil {
		return nil, err
	}
	return z.budget.Inflate(f.Name, size, f.Open)
}

// listedDir is an open directory of an archive file system, listed once
// (n <= 0 lists it whole).
type listedDir struct {
	name string
	list func(name string) ([]fs.DirEntry, error)
	read bool
}

func (d *listedDir) Stat() (fs.FileInfo, error) { return dirInfo(path.Base(d.name)), nil }
func (d *listedDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fs.ErrInvalid}
}
func (d *listedDir) Close() error { return nil }
func (d *listedDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.read {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.read = true
	return d.list(d.name)
}

// dirInfo describes a directory.
type dirInfo string

func (d dirInfo) Name() string       { return string(d) }
func (d dirInfo) Size() int64        { return 0 }
func (d dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o755 }
func (d dirInfo) ModTime() time.Time { return time.Time{} }
func (d dirInfo) IsDir() bool        { return true }
func (d dirInfo) Sys() any           { return nil }

// zipEntryCount reads the number of entries a zip's end of central
// directory record (or its zip64 form) declares, without reading the
// directory; ok is false when there is no such record.
func zipEntryCount(r io.ReaderAt, size int64) (n uint64, ok bool) {
	const eocdLen, maxComment = 22, 65535
	tail := min(size, eocdLen+maxComment)
	if tail < eocdLen {
		return 0, false
	}
	buf := make([]byte, tail)
	if _, err := r.ReadAt(buf, size-tail); err != nil {
		return 0, false
	}
	le := binary.LittleEndian
	for i := len(buf) - eocdLen; i >= 0; i-- {
		if le.Uint32(buf[i:]) != 0x06054b50 {
			continue
		}
		n = uint64(le.Uint16(buf[i+10:]))
		// A zip64 end record, found through its locator just before.
		if j := i - 20; n == 0xffff && j >= 0 && le.Uint32(buf[j:]) == 0x07064b50 {
			at := int64(le.Uint64(buf[j+8:]))
			var rec [56]byte
			if at >= 0 && at <= size-56 {
				if _, err := r.ReadAt(rec[:], at); err == nil && le.Uint32(rec[:]) == 0x06064b50 {
					n = le.Uint64(rec[32:])
				}
			}
		}
		return n, true
	}
	return 0, false
}
