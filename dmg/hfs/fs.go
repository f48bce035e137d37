package hfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Interfaces FS implements.
var (
	_ fs.FS         = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadLinkFS = (*FS)(nil)
)

// root returns the root folder's record.
func (f *FS) root() (*Entry, error) {
	parent, name, err := f.thread(cnidRoot)
	if err != nil {
		return nil, err
	}
	e, err := f.lookupExact(parent, name)
	if err != nil {
		return nil, err
	}
	if e == nil || !e.isFolder || e.CNID != cnidRoot {
		return nil, errors.New("hfs: the root folder record is missing")
	}
	return e, nil
}

// child looks up the entry named name (a POSIX name) in folder dir,
// trying its NFD then NFC forms when it is not stored as given.
func (f *FS) child(dir *Entry, name string) (*Entry, error) {
	if dir.CNID == cnidRoot && (name == privFilesName || name == privDirsName) {
		return nil, fs.ErrNotExist
	}
	var tried []string
	for _, n := range []string{name, norm.NFD.String(name), norm.NFC.String(name)} {
		if slices.Contains(tried, n) {
			continue
		}
		tried = append(tried, n)
		e, err := f.lookup(dir.CNID, encodeName(n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return e, err
	}
	return nil, fs.ErrNotExist
}

// errNotDir and friends are the errors of path resolution.
var (
	errNotDir    = errors.New("not a directory")
	errLinkLoop  = fmt.Errorf("more than %d symbolic links", maxLinkHops)
	errEscape    = errors.New("symbolic link leads outside the volume")
	errDirCycle  = errors.New("directory cycle")
	errNotSymlnk = errors.New("not a symbolic link")
)

// resolve walks name from the root, following symbolic links in every
// element but the last, and in the last too when follow is set.
func (f *FS) resolve(op, name string, follow bool) (*Entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fail := func(err error) (*Entry, error) {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	root, err := f.root()
	if err != nil {
		return fail(err)
	}
	stack := []*Entry{root}
	var comps []string
	if name != "." {
		comps = strings.Split(name, "/")
	}
	hops := 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		cur := stack[len(stack)-1]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 1 {
				return fail(errEscape)
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if !cur.isFolder {
			return fail(errNotDir)
		}
		e, err := f.child(cur, c)
		if err != nil {
			return fail(err)
		}
		if e.linkErr != nil {
			return fail(e.linkErr)
		}
		if e.Mode&fs.ModeSymlink != 0 && (len(comps) > 0 || follow) {
			if hops++; hops > maxLinkHops {
				return fail(errLinkLoop)
			}
			target, err := f.readLink(e)
			if err != nil {
				return fail(err)
			}
			if strings.HasPrefix(target, "/") {
				return fail(fmt.Errorf("%w: absolute target %q", errEscape, target))
			}
			comps = append(strings.Split(target, "/"), comps...)
			continue
		}
		if e.isFolder {
			for _, a := range stack {
				if a.CNID == e.CNID {
					return fail(fmt.Errorf("%w: folder %d is its own ancestor", errDirCycle, e.CNID))
				}
			}
		}
		stack = append(stack, e)
	}
	return stack[len(stack)-1], nil
}

// readLink returns a symbolic link's target, at most maxLinkTarget bytes.
func (f *FS) readLink(e *Entry) (string, error) {
	if e.Compressed {
		return "", fmt.Errorf("symbolic link %d: %w", e.CNID, ErrCompressed)
	}
	if e.data.logicalSize == 0 {
		return "", fmt.Errorf("symbolic link %d has an empty target", e.CNID)
	}
	if e.data.logicalSize > maxLinkTarget {
		return "", fmt.Errorf("symbolic link %d: target of %d bytes is longer than %d", e.CNID, e.data.logicalSize, maxLinkTarget)
	}
	k, err := f.newFork(fmt.Sprintf("symbolic link %d", e.CNID), e.data, f.overflow(e.CNID, dataFork))
	if err != nil {
		return "", err
	}
	b, err := k.readAll(maxLinkTarget)
	return string(b), err
}

// base is the name of a path's last element, "." for the root.
func base(name string) string { return path.Base(name) }

// Stat returns the FileInfo of name, following symbolic links.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return &fileInfo{base(name), e}, nil
}

// Lstat returns the FileInfo of name, not following a final symbolic
// link.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	e, err := f.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return &fileInfo{base(name), e}, nil
}

// ReadLink returns the target of the symbolic link name, as stored.
func (f *FS) ReadLink(name string) (string, error) {
	e, err := f.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.Mode&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: errNotSymlnk}
	}
	t, err := f.readLink(e)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return t, nil
}

// ReadDir lists the folder name, following symbolic links, sorted by
// name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.isFolder {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	ents, err := f.list(e)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return ents, nil
}

// list returns a folder's entries sorted by name. Names that cannot be a
// path element ("", ".", "..", or holding a '/', which a stored ':'
// becomes) and the private directories of the root are left out.
func (f *FS) list(dir *Entry) ([]fs.DirEntry, error) {
	var ents []fs.DirEntry
	err := f.children(dir.CNID, func(e *Entry) (bool, error) {
		name := decodeName(e.name)
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
			return false, nil
		}
		if dir.CNID == cnidRoot && (name == privFilesName || name == privDirsName) {
			return false, nil
		}
		ents = append(ents, &dirEntry{fileInfo{name, f.finish(e)}})
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ents, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return ents, nil
}

// Open opens name, following symbolic links. A folder's File implements
// fs.ReadDirFile; a file's also io.ReaderAt and io.Seeker.
func (f *FS) Open(name string) (fs.File, error) {
	e, err := f.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	fi := fileInfo{base(name), e}
	if e.isFolder {
		return &dir{f: f, fi: fi}, nil
	}
	fl := &file{fi: fi, path: name}
	if !e.Compressed {
		if fl.r, err = f.newFork(fmt.Sprintf("file %d data fork", e.CNID), e.data, f.overflow(e.CNID, dataFork)); err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
	}
	return fl, nil
}
