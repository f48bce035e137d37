package apfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

var (
	_ fs.FS         = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadLinkFS = (*FS)(nil)
)

// maxSymlinks bounds the symbolic links one path resolution follows, and
// maxResolveSteps the path elements (symbolic link targets included) it
// walks.
const (
	maxSymlinks     = 40
	maxResolveSteps = 4096
)

// errSymlinkLoop is wrapped by resolutions that follow too many links.
var errSymlinkLoop = errors.New("too many levels of symbolic links")

// Entry is what FileInfo.Sys returns for a file of the volume: the inode's
// fields that fs.FileInfo does not carry.
type Entry struct {
	ObjID      uint64 // inode number
	ParentID   uint64 // inode number of the primary link's directory
	PrivateID  uint64 // data stream id
	Flags      uint64 // internal_flags (INODE_*)
	BSDFlags   uint32 // bsd_flags (UF_*, SF_*)
	Compressed bool   // decmpfs compression (UF_COMPRESSED or a com.apple.decmpfs attribute)
	NLink      int32  // link count of a file; for a directory, its number of children
	UID, GID   uint32
	Mode       uint16 // the raw BSD mode, type and permission bits
	// Size is the data stream's logical size (for compressed files, the
	// uncompressed size of the decmpfs header; FileInfo.Size is the same).
	Size       uint64
	AllocSize  uint64 // bytes allocated to the data stream
	CreateTime time.Time
	ChangeTime time.Time
	AccessTime time.Time
}

type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	entry *Entry
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) Mode() fs.FileMode  { return i.mode }
func (i *fileInfo) ModTime() time.Time { return i.mtime }
func (i *fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *fileInfo) Sys() any           { return i.entry }

// fileMode converts a BSD mode to an fs.FileMode.
func fileMode(m uint16) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & sIFMT {
	case sIFDIR:
		mode |= fs.ModeDir
	case sIFLNK:
		mode |= fs.ModeSymlink
	case sIFIFO:
		mode |= fs.ModeNamedPipe
	case sIFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case sIFBLK:
		mode |= fs.ModeDevice
	case sIFSOCK:
		mode |= fs.ModeSocket
	case sIFREG:
	default:
		mode |= fs.ModeIrregular
	}
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

func nsTime(ns int64) time.Time { return time.Unix(0, ns) }

// stat builds the FileInfo of inode n under the name name.
func (f *FS) stat(name string, n *inode) (*fileInfo, error) {
	e := &Entry{
		ObjID:      n.id,
		ParentID:   n.parent,
		PrivateID:  n.private,
		Flags:      n.internalFlags,
		BSDFlags:   n.bsdFlags,
		NLink:      n.nlink,
		UID:        n.owner,
		GID:        n.group,
		Mode:       n.mode,
		Size:       n.size,
		AllocSize:  n.allocSize,
		CreateTime: nsTime(n.createTime),
		ChangeTime: nsTime(n.changeTime),
		AccessTime: nsTime(n.accessTime),
	}
	info := &fileInfo{name: name, mode: fileMode(n.mode), mtime: nsTime(n.modTime), entry: e}
	if n.mode&sIFMT == sIFREG {
		size, compressed, err := f.compression(n)
		if err != nil {
			return nil, err
		}
		if compressed {
			e.Compressed = true
			e.Size = size
		}
	}
	if n.isSymlink() {
		target, err := f.readlink(n)
		if err != nil {
			return nil, err
		}
		e.Size = uint64(len(target))
	}
	if !n.isDir() {
		info.size = int64(min(e.Size, 1<<62))
	}
	return info, nil
}

// pathError wraps err for op on name, mapping not-found conditions to
// fs.ErrNotExist.
func pathError(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// resolved is the result of resolving a path.
type resolved struct {
	ino  *inode
	name string // the last element of the path as given, "." for the root
}

// resolve walks name from the root directory, following symbolic links in
// directories and, when follow is set, in the last element.
func (f *FS) resolve(op, name string, follow bool) (*resolved, error) {
	if !fs.ValidPath(name) {
		return nil, pathError(op, name, fs.ErrInvalid)
	}
	root, err := f.inode(rootDirID)
	if err != nil {
		return nil, pathError(op, name, err)
	}
	if !root.isDir() {
		return nil, pathError(op, name, fmt.Errorf("apfs: root inode is not a directory: %w", ErrFormat))
	}
	var comps []string
	if name != "." {
		comps = strings.Split(name, "/")
	}
	stack := []*inode{root}
	links, steps := 0, 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		if steps++; steps > maxResolveSteps {
			return nil, pathError(op, name, fmt.Errorf("more than %d path elements: %w", maxResolveSteps, errSymlinkLoop))
		}
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		dir := stack[len(stack)-1]
		if !dir.isDir() {
			return nil, pathError(op, name, fmt.Errorf("not a directory"))
		}
		d, ok, err := f.lookup(dir.id, c)
		if err != nil {
			return nil, pathError(op, name, err)
		}
		if !ok {
			return nil, pathError(op, name, fs.ErrNotExist)
		}
		n, err := f.inode(d.fileID)
		if err != nil {
			return nil, pathError(op, name, err)
		}
		if n.isSymlink() && (len(comps) > 0 || follow) {
			links++
			if links > maxSymlinks {
				return nil, pathError(op, name, errSymlinkLoop)
			}
			target, err := f.readlink(n)
			if err != nil {
				return nil, pathError(op, name, err)
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			comps = append(strings.Split(target, "/"), comps...)
			continue
		}
		stack = append(stack, n)
	}
	r := &resolved{ino: stack[len(stack)-1], name: path.Base(name)}
	return r, nil
}

// Stat returns the FileInfo of name, following symbolic links.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	r, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	info, err := f.stat(r.name, r.ino)
	if err != nil {
		return nil, pathError("stat", name, err)
	}
	return info, nil
}

// Lstat returns the FileInfo of name without following a symbolic link in
// its last element.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	r, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	info, err := f.stat(r.name, r.ino)
	if err != nil {
		return nil, pathError("lstat", name, err)
	}
	return info, nil
}

// ReadLink returns the target of the symbolic link name.
func (f *FS) ReadLink(name string) (string, error) {
	r, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !r.ino.isSymlink() {
		return "", pathError("readlink", name, fs.ErrInvalid)
	}
	target, err := f.readlink(r.ino)
	if err != nil {
		return "", pathError("readlink", name, err)
	}
	return target, nil
}

// readlink returns the target stored in the com.apple.fs.symlink attribute
// of inode n.
func (f *FS) readlink(n *inode) (string, error) {
	x, ok, err := f.xattr(n.id, xattrSymlink)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("apfs: symbolic link %d has no %s attribute: %w", n.id, xattrSymlink, ErrFormat)
	}
	b, err := f.xattrData(x, maxSymlinkLen)
	if err != nil {
		return "", err
	}
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	if len(b) == 0 {
		return "", fmt.Errorf("apfs: symbolic link %d has an empty target: %w", n.id, ErrFormat)
	}
	return string(b), nil
}

const maxSymlinkLen = 4096

// ReadDir returns the entries of directory name, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	r, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !r.ino.isDir() {
		return nil, pathError("readdir", name, fmt.Errorf("not a directory"))
	}
	entries, err := f.dirEntries(r.ino)
	if err != nil {
		return nil, pathError("readdir", name, err)
	}
	return entries, nil
}

func (f *FS) dirEntries(dir *inode) ([]fs.DirEntry, error) {
	ds, err := f.readDir(dir.id)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, 0, len(ds))
	for _, d := range ds {
		out = append(out, &dirEntry{f: f, d: d})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// dirEntry is an fs.DirEntry read from a directory record.
type dirEntry struct {
	f *FS
	d dirent
}

// Directory record types (DT_*).
const (
	dtFIFO = 1
	dtCHR  = 2
	dtDIR  = 4
	dtBLK  = 6
	dtREG  = 8
	dtLNK  = 10
	dtSOCK = 12
)

func (e *dirEntry) Name() string { return e.d.name }
func (e *dirEntry) IsDir() bool  { return e.d.dtype == dtDIR }
func (e *dirEntry) Type() fs.FileMode {
	switch e.d.dtype {
	case dtDIR:
		return fs.ModeDir
	case dtLNK:
		return fs.ModeSymlink
	case dtFIFO:
		return fs.ModeNamedPipe
	case dtCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case dtBLK:
		return fs.ModeDevice
	case dtSOCK:
		return fs.ModeSocket
	case dtREG:
		return 0
	}
	return fs.ModeIrregular
}
func (e *dirEntry) Info() (fs.FileInfo, error) {
	n, err := e.f.inode(e.d.fileID)
	if err != nil {
		return nil, err
	}
	return e.f.stat(e.d.name, n)
}
func (e *dirEntry) String() string { return fs.FormatDirEntry(e) }

// Open opens name, following symbolic links, as an fs.File; regular files
// also implement io.ReaderAt and io.Seeker, directories fs.ReadDirFile.
func (f *FS) Open(name string) (fs.File, error) {
	r, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	info, err := f.stat(r.name, r.ino)
	if err != nil {
		return nil, pathError("open", name, err)
	}
	if r.ino.isDir() {
		return &dir{f: f, ino: r.ino, info: info, path: name}, nil
	}
	file := &File{f: f, ino: r.ino, info: info, path: name}
	switch {
	case info.entry.Compressed:
		file.err = fmt.Errorf("apfs: inode %d: %w", r.ino.id, ErrCompressed)
	case r.ino.mode&sIFMT != sIFREG:
		file.err = fmt.Errorf("apfs: inode %d is not a regular file", r.ino.id)
	default:
		size := uint64(0)
		if r.ino.hasDstream {
			size = r.ino.size
		}
		file.data = &dataStream{f: f, id: r.ino.private, size: size}
	}
	return file, nil
}

// dir is an open directory.
type dir struct {
	f       *FS
	ino     *inode
	info    *fileInfo
	path    string
	entries []fs.DirEntry
	read    bool
	pos     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Close() error               { return nil }
func (d *dir) Read([]byte) (int, error) {
	return 0, pathError("read", d.path, errors.New("is a directory"))
}

// ReadDir implements fs.ReadDirFile.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := d.f.dirEntries(d.ino)
		if err != nil {
			return nil, pathError("readdir", d.path, err)
		}
		d.entries, d.read = entries, true
	}
	rest := d.entries[d.pos:]
	if n <= 0 {
		d.pos = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.pos += n
	return rest[:n], nil
}
