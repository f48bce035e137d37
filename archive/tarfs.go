package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// MemFS is an archive unpacked into memory: a tar, a .tar.gz, or a single
// gzip-compressed file, as a Tree. Its Problems list entries not served.
type MemFS = Tree

// dataEntry is a Tree entry served from memory.
func dataEntry(data []byte, mode fs.FileMode, mod time.Time) *Entry {
	return &Entry{Size: int64(len(data)), Mode: mode, ModTime: mod,
		Open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		Random: func() (io.ReaderAt, error) { return bytes.NewReader(data), nil },
	}
}

// OpenTar reads a tar archive into memory, within the budget.
func OpenTar(r io.Reader, budget *Budget) (*MemFS, error) {
	m := NewTree()
	tr := tar.NewReader(r)
	entries := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", err)
		}
		if entries++; budget != nil && entries > budget.MaxEntries {
			return nil, fmt.Errorf("tar: %w: more than %d entries", ErrLimit, budget.MaxEntries)
		}
		var e *Entry
		switch h.Typeflag {
		case tar.TypeDir:
			e = &Entry{Mode: fs.ModeDir | 0o755, ModTime: h.ModTime}
		case tar.TypeSymlink:
			e = &Entry{Mode: h.FileInfo().Mode(), ModTime: h.ModTime, Link: h.Linkname}
		case tar.TypeReg:
			if budget != nil && h.Size > budget.MaxMemoryFile {
				return nil, fmt.Errorf("tar: %w: %s is %d bytes", ErrLimit, h.Name, h.Size)
			}
			if err := budget.take(h.Size); err != nil {
				return nil, fmt.Errorf("tar: %w", err)
			}
			data, err := io.ReadAll(io.LimitReader(tr, h.Size))
			if err != nil {
				return nil, fmt.Errorf("tar: %s: %w", h.Name, err)
			}
			e = dataEntry(data, h.FileInfo().Mode(), h.ModTime)
		default:
			continue // hard links, devices, FIFOs: not code
		}
		m.Add(h.Name, e)
	}
}

// OpenGzip decompresses a gzip file: a tar inside becomes its tree, anything
// else a single file named after the gzip header (or fallback, the archive's
// name without .gz).
func OpenGzip(r io.Reader, budget *Budget, fallback string) (*MemFS, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	defer zr.Close()
	limit := int64(1 << 62)
	if budget != nil {
		limit = budget.MaxMemoryFile
	}
	data, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("gzip: %w: more than %d bytes decompressed", ErrLimit, limit)
	}
	if err := budget.take(int64(len(data))); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if IsTar(data) {
		return OpenTar(bytes.NewReader(data), budget)
	}
	name := zr.Name
	if name == "" || strings.Contains(name, "/") {
		name = strings.TrimSuffix(strings.TrimSuffix(fallback, ".gz"), ".tgz")
	}
	m := NewTree()
	m.Add(name, dataEntry(data, 0o644, zr.ModTime))
	return m, nil
}

// IsTar reports whether b starts with a ustar or GNU tar header.
func IsTar(b []byte) bool {
	return len(b) >= 262 && bytes.Equal(b[257:262], []byte("ustar"))
}
