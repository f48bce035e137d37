package hfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"
)

// fileInfo is the fs.FileInfo and fs.DirEntry of an Entry.
type fileInfo struct {
	name string
	e    *Entry
}

// Name returns the base name.
func (i *fileInfo) Name() string { return i.name }

// Size returns the data fork's logical size (0 for folders and most
// compressed files).
func (i *fileInfo) Size() int64 {
	if i.e.isFolder {
		return 0
	}
	return int64(i.e.DataForkSize)
}

// Mode returns the type and permission bits.
func (i *fileInfo) Mode() fs.FileMode { return i.e.Mode }

// ModTime returns the content modification date.
func (i *fileInfo) ModTime() time.Time { return i.e.Modified }

// IsDir reports whether the entry is a folder.
func (i *fileInfo) IsDir() bool { return i.e.isFolder }

// Sys returns the *Entry.
func (i *fileInfo) Sys() any { return i.e }

// dirEntry is a folder's listing entry.
type dirEntry struct{ fi fileInfo }

func (d *dirEntry) Name() string               { return d.fi.name }
func (d *dirEntry) IsDir() bool                { return d.fi.e.isFolder }
func (d *dirEntry) Type() fs.FileMode          { return d.fi.e.Mode.Type() }
func (d *dirEntry) Info() (fs.FileInfo, error) { return &d.fi, nil }
func (d *dirEntry) String() string             { return fs.FormatDirEntry(d) }

// file is an open file: its data fork.
type file struct {
	fi     fileInfo
	path   string
	r      *fork // nil for a compressed file
	off    int64
	closed bool
}

var errClosed = errors.New("file already closed")

func (fl *file) Stat() (fs.FileInfo, error) { return &fl.fi, nil }

func (fl *file) check(op string) error {
	switch {
	case fl.closed:
		return &fs.PathError{Op: op, Path: fl.path, Err: errClosed}
	case fl.r == nil:
		return &fs.PathError{Op: op, Path: fl.path, Err: ErrCompressed}
	}
	return nil
}

// Read reads the data fork.
func (fl *file) Read(p []byte) (int, error) {
	if err := fl.check("read"); err != nil {
		return 0, err
	}
	n, err := fl.r.ReadAt(p, fl.off)
	fl.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// ReadAt reads the data fork at off.
func (fl *file) ReadAt(p []byte, off int64) (int, error) {
	if err := fl.check("read"); err != nil {
		return 0, err
	}
	return fl.r.ReadAt(p, off)
}

// Seek sets the offset of the next Read.
func (fl *file) Seek(off int64, whence int) (int64, error) {
	if fl.closed {
		return 0, &fs.PathError{Op: "seek", Path: fl.path, Err: errClosed}
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += fl.off
	case io.SeekEnd:
		off += int64(fl.fi.e.DataForkSize)
	default:
		return 0, &fs.PathError{Op: "seek", Path: fl.path, Err: fmt.Errorf("whence %d: %w", whence, fs.ErrInvalid)}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "seek", Path: fl.path, Err: fmt.Errorf("negative offset: %w", fs.ErrInvalid)}
	}
	fl.off = off
	return off, nil
}

// Close closes the file.
func (fl *file) Close() error {
	if fl.closed {
		return &fs.PathError{Op: "close", Path: fl.path, Err: errClosed}
	}
	fl.closed = true
	return nil
}

// dir is an open folder.
type dir struct {
	f      *FS
	fi     fileInfo
	ents   []fs.DirEntry
	listed bool
	pos    int
	closed bool
}

func (d *dir) Stat() (fs.FileInfo, error) { return &d.fi, nil }

func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.fi.name, Err: errors.New("is a directory")}
}

func (d *dir) Close() error {
	if d.closed {
		return &fs.PathError{Op: "close", Path: d.fi.name, Err: errClosed}
	}
	d.closed = true
	return nil
}

// ReadDir returns the next n entries (all the rest when n <= 0), as
// fs.ReadDirFile says.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.closed {
		return nil, &fs.PathError{Op: "readdir", Path: d.fi.name, Err: errClosed}
	}
	if !d.listed {
		ents, err := d.f.list(d.fi.e)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: d.fi.name, Err: err}
		}
		d.ents, d.listed = ents, true
	}
	rest := d.ents[d.pos:]
	if n <= 0 {
		d.pos = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.pos += len(rest)
	return rest, nil
}
