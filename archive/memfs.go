package archive

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// memFS is an archive unpacked into memory (tar, gzip): names as stored,
// symlinks kept as links, regular files served as io.ReaderAt.
type memFS struct {
	files map[string]*memFile
	dirs  map[string]map[string]bool
	// Problems are the entries that were not served.
	Problems []Problem
}

type memFile struct {
	name string
	data []byte
	mode fs.FileMode
	mod  time.Time
	link string
}

func newMemFS() *memFS {
	return &memFS{files: map[string]*memFile{}, dirs: map[string]map[string]bool{".": {}}}
}

// add records an entry, refusing unsafe and duplicate names.
func (m *memFS) add(stored string, f *memFile) {
	clean := strings.TrimSuffix(stored, "/")
	clean = strings.TrimPrefix(clean, "./")
	switch {
	case clean == "" || clean == ".":
		return
	case strings.HasPrefix(stored, "/") || strings.Contains(stored, "\\") || !fs.ValidPath(clean):
		m.Problems = append(m.Problems, Problem{stored, "unsafe name (absolute, \"..\", or not a clean relative path)"})
		return
	case m.files[clean] != nil:
		m.Problems = append(m.Problems, Problem{stored, "duplicate name"})
		return
	}
	if f.mode.IsDir() {
		m.mkdirAll(clean)
		return
	}
	m.mkdirAll(path.Dir(clean))
	m.dirs[path.Dir(clean)][path.Base(clean)] = true
	f.name = path.Base(clean)
	m.files[clean] = f
}

func (m *memFS) mkdirAll(dir string) {
	for dir != "." {
		if m.dirs[dir] == nil {
			m.dirs[dir] = map[string]bool{}
		}
		parent := path.Dir(dir)
		if m.dirs[parent] == nil {
			m.dirs[parent] = map[string]bool{}
		}
		m.dirs[parent][path.Base(dir)] = true
		dir = parent
	}
}

func (m *memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f := m.files[name]; f != nil {
		return &memOpen{f: f, r: bytes.NewReader(f.data)}, nil
	}
	if m.dirs[name] != nil {
		return &memDir{m: m, name: name}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	if f := m.files[name]; f != nil {
		return f, nil
	}
	if m.dirs[name] != nil {
		return dirInfo(path.Base(name)), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) Lstat(name string) (fs.FileInfo, error) { return m.Stat(name) }

func (m *memFS) ReadLink(name string) (string, error) {
	f := m.files[name]
	if f == nil || f.mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return f.link, nil
}

func (m *memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	children := m.dirs[name]
	if children == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(children))
	for c := range children {
		if f := m.files[path.Join(name, c)]; f != nil {
			out = append(out, fs.FileInfoToDirEntry(f))
		} else {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(c)))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// FileInfo of a memFile.
func (f *memFile) Name() string       { return f.name }
func (f *memFile) Size() int64        { return int64(len(f.data)) }
func (f *memFile) Mode() fs.FileMode  { return f.mode }
func (f *memFile) ModTime() time.Time { return f.mod }
func (f *memFile) IsDir() bool        { return false }
func (f *memFile) Sys() any           { return nil }

type memOpen struct {
	f *memFile
	r *bytes.Reader
}

func (o *memOpen) Stat() (fs.FileInfo, error)                { return o.f, nil }
func (o *memOpen) Read(p []byte) (int, error)                { return o.r.Read(p) }
func (o *memOpen) ReadAt(p []byte, off int64) (int, error)   { return o.r.ReadAt(p, off) }
func (o *memOpen) Seek(off int64, whence int) (int64, error) { return o.r.Seek(off, whence) }
func (o *memOpen) Close() error                              { return nil }

type memDir struct {
	m    *memFS
	name string
	read bool
}

func (d *memDir) Stat() (fs.FileInfo, error) { return dirInfo(path.Base(d.name)), nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.read {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.read = true
	return d.m.ReadDir(d.name)
}
