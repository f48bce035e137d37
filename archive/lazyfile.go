package archive

import (
	"io"
	"io/fs"
)

// lazyFile is an open regular file (or symlink) of an archive file system:
// it starts streaming on the first Read and gets random access on the
// first ReadAt, each once.
type lazyFile struct {
	info fs.FileInfo
	// open streams the content; random gives random access.
	open   func() (io.ReadCloser, error)
	random func() (io.ReaderAt, error)

	rc io.ReadCloser
	ra io.ReaderAt
}

func (f *lazyFile) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *lazyFile) Read(p []byte) (int, error) {
	if f.rc == nil {
		if f.open == nil {
			return 0, io.EOF
		}
		rc, err := f.open()
		if err != nil {
			return 0, err
		}
		f.rc = rc
	}
	return f.rc.Read(p)
}

func (f *lazyFile) ReadAt(p []byte, off int64) (int, error) {
	if f.ra == nil {
		if f.random == nil {
			return 0, &fs.PathError{Op: "readat", Path: f.info.Name(), Err: fs.ErrInvalid}
		}
		ra, err := f.random()
		if err != nil {
			return 0, err
		}
		f.ra = ra
	}
	return f.ra.ReadAt(p, off)
}

func (f *lazyFile) Close() error {
	if f.rc != nil {
		return f.rc.Close()
	}
	return nil
}
