package hfs

import (
	"fmt"
	"io"
	"sort"
)

// Fork types of an extents overflow key.
const (
	dataFork     = 0x00
	resourceFork = 0xFF
)

// fork is a run of bytes stored in allocation blocks: a file's data or
// resource fork, a B-tree file, an attribute stored as a fork.
type fork struct {
	f    *FS
	what string // for errors
	size int64
	exts []forkExtent
}

// forkExtent is an extent with the fork block it starts at.
type forkExtent struct {
	extent
	fileBlock uint64
}

// overflowFunc returns the extent record that continues a fork at fork
// block start, or an error.
type overflowFunc func(start uint32) ([8]extent, error)

// newFork checks fd's extents against the volume and collects as many as
// the logical size needs, asking more for overflow records.
func (f *FS) newFork(what string, fd forkData, more overflowFunc) (*fork, error) {
	bs := uint64(f.blockSize)
	need := (fd.logicalSize + bs - 1) / bs
	if fd.logicalSize > uint64(f.totalBlocks)*bs || need > uint64(f.totalBlocks) {
		return nil, fmt.Errorf("hfs: %s: logical size %d is larger than the volume (%d blocks of %d bytes)", what, fd.logicalSize, f.totalBlocks, bs)
	}
	k := &fork{f: f, what: what, size: int64(fd.logicalSize)}
	var covered uint64
	recs := fd.extents
	for n := 0; covered < need; n++ {
		progress := false
		for _, e := range recs {
			if covered >= need || e.count == 0 {
				break
			}
			if uint64(e.start)+uint64(e.count) > uint64(f.totalBlocks) {
				return nil, fmt.Errorf("hfs: %s: extent of %d blocks at block %d (offset %#x) ends past the volume's %d blocks", what, e.count, e.start, uint64(e.start)*bs, f.totalBlocks)
			}
			k.exts = append(k.exts, forkExtent{e, covered})
			covered += uint64(e.count)
			progress = true
		}
		if covered >= need {
			break
		}
		if !progress && n > 0 {
			return nil, fmt.Errorf("hfs: %s: overflow extent record at fork block %d is empty", what, covered)
		}
		if more == nil {
			return nil, fmt.Errorf("hfs: %s: extents cover %d of %d blocks and there is no extents overflow file", what, covered, need)
		}
		var err error
		if recs, err = more(uint32(covered)); err != nil {
			return nil, fmt.Errorf("hfs: %s: extents cover %d of %d blocks: %w", what, covered, need, err)
		}
	}
	return k, nil
}

// overflow returns the overflowFunc of a file's fork in the extents
// overflow file.
func (f *FS) overflow(cnid uint32, forkType byte) overflowFunc {
	return func(start uint32) ([8]extent, error) {
		var e [8]extent
		if f.extents == nil {
			return e, fmt.Errorf("no extents overflow file")
		}
		key := extentKey(forkType, cnid, start)
		found := false
		err := f.extents.scan(key, func(k, d []byte) (bool, error) {
			if compareExtentKeys(k, key) != 0 {
				return true, nil
			}
			if len(d) < 64 {
				return true, fmt.Errorf("extent record of %d bytes", len(d))
			}
			parseExtents(&e, d)
			found = true
			return true, nil
		})
		if err != nil {
			return e, err
		}
		if !found {
			return e, fmt.Errorf("no extents overflow record for CNID %d fork %#x at block %d", cnid, forkType, start)
		}
		return e, nil
	}
}

// ReadAt reads the fork's bytes, never past its logical size.
func (k *fork) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("hfs: %s: negative offset %d", k.what, off)
	}
	if off >= k.size {
		return 0, io.EOF
	}
	var err error
	if int64(len(p)) > k.size-off {
		p, err = p[:k.size-off], io.EOF
	}
	bs := int64(k.f.blockSize)
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		blk := uint64(pos / bs)
		i := sort.Search(len(k.exts), func(i int) bool { return k.exts[i].fileBlock > blk }) - 1
		if i < 0 {
			return n, fmt.Errorf("hfs: %s: no extent for offset %d", k.what, pos)
		}
		e := k.exts[i]
		within := pos - int64(e.fileBlock)*bs
		avail := int64(e.count)*bs - within
		want := min(int64(len(p)-n), avail)
		disk := int64(e.start)*bs + within
		if disk+want > k.f.size {
			return n, fmt.Errorf("hfs: %s: offset %d maps to volume offset %#x, past the end of the %d-byte image", k.what, pos, disk, k.f.size)
		}
		m, rerr := k.f.r.ReadAt(p[n:n+int(want)], disk)
		n += m
		if m < int(want) {
			if rerr == nil || rerr == io.EOF {
				rerr = io.ErrUnexpectedEOF
			}
			return n, fmt.Errorf("hfs: %s: reading volume offset %#x: %w", k.what, disk+int64(m), rerr)
		}
	}
	return n, err
}

// readAll returns the whole fork if it is at most limit bytes long.
func (k *fork) readAll(limit int64) ([]byte, error) {
	if k.size > limit {
		return nil, fmt.Errorf("hfs: %s: %d bytes, more than the %d allowed", k.what, k.size, limit)
	}
	b := make([]byte, k.size)
	if _, err := k.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}
