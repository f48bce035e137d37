package archive

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Entry is a file of a Tree: its metadata, and how to read it.
type Entry struct {
	Size    int64
	Mode    fs.FileMode
	ModTime time.Time
	// Link is a symlink's target.
	Link string
	// Open streams the content.
	Open func() (io.ReadCloser, error)
	// Random gives random access (it may inflate into memory, within a
	// budget); nil when the content is not kept.
	Random func() (io.ReaderAt, error)
	// Digests holds content digests computed while streaming ("sha256",
	// "sha1"), for files whose content is not kept.
	Digests map[string][]byte

	name string
}

// Tree is a file system over archive entries read lazily: directories are
// synthesized from the paths, names are checked, symlinks are kept as links,
// and regular files implement io.ReaderAt. Archive readers (xar) build one.
type Tree struct {
	files map[string]*Entry
	dirs  map[string]map[string]bool
	// Problems are the entries that were not added.
	Problems []Problem
}

// NewTree returns an empty tree.
func NewTree() *Tree {
	return &Tree{files: map[string]*Entry{}, dirs: map[string]map[string]bool{".": {}}}
}

// CleanName is the name a Tree files a stored name under: without a
// leading "./" or a trailing "/".
func CleanName(stored string) string {
	return strings.TrimPrefix(strings.TrimSuffix(stored, "/"), "./")
}

// Add adds an entry stored under name, refusing unsafe and duplicate names
// (recorded in Problems). A directory entry (Mode.IsDir) only creates the
// directory.
func (t *Tree) Add(stored string, e *Entry) {
	clean := CleanName(stored)
	switch {
	case clean == "" || clean == ".":
		return
	case strings.HasPrefix(stored, "/") || strings.Contains(stored, "\\") || !fs.ValidPath(clean):
		t.Problems = append(t.Problems, Problem{stored, "unsafe name (absolute, \"..\", or not a clean relative path)"})
		return
	case t.files[clean] != nil || (!e.Mode.IsDir() && t.dirs[clean] != nil):
		t.Problems = append(t.Problems, Problem{stored, "duplicate name"})
		return
	}
	if e.Mode.IsDir() {
		t.mkdirAll(clean)
		return
	}
	t.mkdirAll(path.Dir(clean))
	t.dirs[path.Dir(clean)][path.Base(clean)] = true
	e.name = path.Base(clean)
	t.files[clean] = e
}

func (t *Tree) mkdirAll(dir string) {
	for dir != "." {
		if t.dirs[dir] == nil {
			t.dirs[dir] = map[string]bool{}
		}
		parent := path.Dir(dir)
		if t.dirs[parent] == nil {
			t.dirs[parent] = map[string]bool{}
		}
		t.dirs[parent][path.Base(dir)] = true
		dir = parent
	}
}

// Entry returns the entry at name, or nil.
func (t *Tree) Entry(name string) *Entry { return t.files[name] }

// Open opens a file or directory.
func (t *Tree) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if e := t.files[name]; e != nil {
		return &lazyFile{info: entryInfo{e}, open: e.Open, random: e.Random}, nil
	}
	if t.dirs[name] != nil {
		return &listedDir{name: name, list: t.ReadDir}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Stat describes a file (nothing is followed).
func (t *Tree) Stat(name string) (fs.FileInfo, error) {
	if e := t.files[name]; e != nil {
		return entryInfo{e}, nil
	}
	if t.dirs[name] != nil {
		return dirInfo(path.Base(name)), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// Lstat is Stat.
func (t *Tree) Lstat(name string) (fs.FileInfo, error) { return t.Stat(name) }

// ReadLink returns a symlink's target.
func (t *Tree) ReadLink(name string) (string, error) {
	e := t.files[name]
	if e == nil || e.Mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.Link, nil
}

// ReadDir lists a directory, sorted by name.
func (t *Tree) ReadDir(name string) ([]fs.DirEntry, error) {
	children := t.dirs[name]
	if children == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(children))
	for c := range children {
		if e := t.files[path.Join(name, c)]; e != nil {
			out = append(out, fs.FileInfoToDirEntry(entryInfo{e}))
		} else {
			out = append(out, fs.FileInfoToDirEntry(dirInfo(c)))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

type entryInfo struct{ e *Entry }

func (i entryInfo) Name() string       { return i.e.name }
func (i entryInfo) Size() int64        { return i.e.Size }
func (i entryInfo) Mode() fs.FileMode  { return i.e.Mode }
func (i entryInfo) ModTime() time.Time { return i.e.ModTime }
func (i entryInfo) IsDir() bool        { return false }
func (i entryInfo) Sys() any           { return nil }

// Inflate reads a whole stream into memory as random access, within the
// budget: at most MaxMemoryFile bytes, counted against MaxDecompressed.
func (b *Budget) Inflate(name string, size int64, open func() (io.ReadCloser, error)) (io.ReaderAt, error) {
	if b != nil && size > b.MaxMemoryFile {
		return nil, fmt.Errorf("%w: %s is %d bytes, more than the %d-byte limit for a file held in memory", ErrLimit, name, size, b.MaxMemoryFile)
	}
	if err := b.take(size); err != nil {
		return nil, err
	}
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, size)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, fmt.Errorf("inflate %s: %w", name, err)
	}
	return bytes.NewReader(buf), nil
}

// Digest returns a digest of the file at name computed while the archive
// streamed by ("sha256" or "sha1"), when there is one.
func (t *Tree) Digest(name, alg string) ([]byte, bool) {
	e := t.files[name]
	if e == nil || e.Digests == nil {
		return nil, false
	}
	d, ok := e.Digests[alg]
	return d, ok
}
