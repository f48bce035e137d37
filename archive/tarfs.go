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
)

// MemFS is an archive unpacked into memory: a tar, a .tar.gz, or a single
// gzip-compressed file. Its Problems list entries not served.
type MemFS = memFS

// OpenTar reads a tar archive into memory, within the budget.
func OpenTar(r io.Reader, budget *Budget) (*MemFS, error) {
	m := newMemFS()
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
		f := &memFile{mode: h.FileInfo().Mode(), mod: h.ModTime}
		switch h.Typeflag {
		case tar.TypeDir:
			f.mode = fs.ModeDir | 0o755
		case tar.TypeSymlink:
			f.link = h.Linkname
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
			f.data = data
		default:
			continue // hard links, devices, FIFOs: not code
		}
		m.add(h.Name, f)
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
	m := newMemFS()
	m.add(name, &memFile{data: data, mode: 0o644, mod: zr.ModTime})
	return m, nil
}

// IsTar reports whether b starts with a ustar or GNU tar header.
func IsTar(b []byte) bool {
	return len(b) >= 262 && bytes.Equal(b[257:262], []byte("ustar"))
}
