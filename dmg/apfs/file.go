package apfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"sync"
)

// maxExtents bounds the extents of one data stream.
const maxExtents = 1 << 20

// File is an open regular file (or another non-directory) of the volume.
// It implements fs.File, io.ReaderAt and io.Seeker.
type File struct {
	f    *FS
	ino  *inode
	info *fileInfo
	path string
	data *dataStream
	err  error // why the contents cannot be read, if they cannot
	off  int64
}

var (
	_ io.ReaderAt = (*File)(nil)
	_ io.Seeker   = (*File)(nil)
)

// Stat returns the file's FileInfo.
func (fl *File) Stat() (fs.FileInfo, error) { return fl.info, nil }

// Close does nothing: the file holds no resources.
func (fl *File) Close() error { return nil }

// Read reads from the current offset.
func (fl *File) Read(p []byte) (int, error) {
	n, err := fl.ReadAt(p, fl.off)
	fl.off += int64(n)
	if err == io.EOF && n > 0 && n == len(p) {
		err = nil
	}
	return n, err
}

// ReadAt reads len(p) bytes at offset off of the file's data; holes read
// as zeros and nothing is read past the data stream's size.
func (fl *File) ReadAt(p []byte, off int64) (int, error) {
	if fl.err != nil {
		return 0, pathError("read", fl.path, fl.err)
	}
	if off < 0 {
		return 0, pathError("read", fl.path, errors.New("negative offset"))
	}
	n, err := fl.data.readAt(p, off)
	if err != nil && err != io.EOF {
		err = pathError("read", fl.path, err)
	}
	return n, err
}

// Seek sets the offset of the next Read.
func (fl *File) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += fl.off
	case io.SeekEnd:
		offset += fl.info.size
	default:
		return 0, pathError("seek", fl.path, errors.New("invalid whence"))
	}
	if offset < 0 {
		return 0, pathError("seek", fl.path, errors.New("negative offset"))
	}
	fl.off = offset
	return offset, nil
}

// extent is a file extent: logical bytes [logical, logical+length) at
// block phys (0: a hole).
type extent struct {
	logical, length, phys uint64
}

// dataStream reads the file extents of data stream id, size bytes long.
type dataStream struct {
	f    *FS
	id   uint64
	size uint64

	once sync.Once
	exts []extent
	err  error
}

// load reads and checks the stream's extent records.
func (d *dataStream) load() {
	f := d.f
	le := binary.LittleEndian
	bs := uint64(f.bs)
	var end uint64
	d.err = f.records(d.id, typeFileExtent, func(k, v []byte) (bool, error) {
		if len(k) < 16 || len(v) < 16 {
			return false, fmt.Errorf("apfs fs tree: data stream %d: extent record of %d+%d bytes: %w", d.id, len(k), len(v), ErrFormat)
		}
		e := extent{
			logical: le.Uint64(k[8:]),
			length:  le.Uint64(v) & 0x00ffffffffffffff,
			phys:    le.Uint64(v[8:]),
		}
		if e.logical >= d.size {
			return false, nil
		}
		if e.length == 0 || e.logical < end || e.logical+e.length < e.logical {
			return false, fmt.Errorf("apfs fs tree: data stream %d: extent at logical offset %d (length %d) overlaps or is empty: %w", d.id, e.logical, e.length, ErrFormat)
		}
		if e.phys != 0 {
			blocks := (e.length + bs - 1) / bs
			if e.phys >= f.nblocks || blocks > f.nblocks-e.phys {
				return false, fmt.Errorf("apfs fs tree: data stream %d: extent at logical offset %d: blocks %d..%d outside the container (%d blocks): %w", d.id, e.logical, e.phys, e.phys+blocks, f.nblocks, ErrFormat)
			}
		}
		if len(d.exts) >= maxExtents {
			return false, fmt.Errorf("apfs fs tree: data stream %d: more than %d extents: %w", d.id, maxExtents, ErrFormat)
		}
		d.exts = append(d.exts, e)
		end = e.logical + e.length
		return true, nil
	})
}

func (d *dataStream) readAt(p []byte, off int64) (int, error) {
	if uint64(off) >= d.size {
		return 0, io.EOF
	}
	d.once.Do(d.load)
	if d.err != nil {
		return 0, d.err
	}
	want := p
	if rest := d.size - uint64(off); uint64(len(want)) > rest {
		want = want[:rest]
	}
	pos := uint64(off)
	done := 0
	for done < len(want) {
		// The extent holding pos, if any.
		i := sort.Search(len(d.exts), func(i int) bool { return d.exts[i].logical+d.exts[i].length > pos })
		chunk := want[done:]
		if i == len(d.exts) || d.exts[i].logical > pos {
			// A hole up to the next extent.
			if i < len(d.exts) && d.exts[i].logical-pos < uint64(len(chunk)) {
				chunk = chunk[:d.exts[i].logical-pos]
			}
			clear(chunk)
		} else {
			e := d.exts[i]
			in := pos - e.logical
			if e.length-in < uint64(len(chunk)) {
				chunk = chunk[:e.length-in]
			}
			if e.phys == 0 {
				clear(chunk)
			} else {
				at := e.phys*uint64(d.f.bs) + in
				if _, err := d.f.r.ReadAt(chunk, int64(at)); err != nil {
					if err == io.EOF {
						err = io.ErrUnexpectedEOF
					}
					return done, fmt.Errorf("apfs: data stream %d: reading block %d: %w", d.id, at/uint64(d.f.bs), err)
				}
			}
		}
		done += len(chunk)
		pos += uint64(len(chunk))
	}
	if done < len(p) {
		return done, io.EOF
	}
	return done, nil
}

// readAll returns the whole stream, which must be at most limit bytes.
func (d *dataStream) readAll(limit uint64) ([]byte, error) {
	if d.size > limit {
		return nil, fmt.Errorf("apfs: data stream %d of %d bytes exceeds the limit of %d bytes", d.id, d.size, limit)
	}
	b := make([]byte, d.size)
	n, err := d.readAt(b, 0)
	if err != nil && !(err == io.EOF && n == len(b)) {
		return nil, err
	}
	return b, nil
}
