package hfs

import (
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Volume header signatures and versions.
const (
	sigHFSPlus    = 0x482B // "H+"
	sigHFSX       = 0x4858 // "HX"
	sigHFS        = 0x4244 // "BD", a classic HFS volume or wrapper
	volHeaderOff  = 1024
	volHeaderSize = 512
)

// Special catalog node IDs.
const (
	cnidRootParent = 1
	cnidRoot       = 2
	cnidExtents    = 3
	cnidCatalog    = 4
	cnidAttributes = 8
)

// Catalog key compare types of an HFSX catalog's header.
const (
	compareCaseFold = 0xCF
	compareBinaryID = 0xBC
)

// Limits on what a hostile volume can make the reader do.
const (
	maxNodeSize   = 64 << 10
	maxTreeDepth  = 8
	maxLinkHops   = 40
	maxLinkTarget = 1024     // PATH_MAX on macOS
	maxXattrSize  = 16 << 20 // also bounds resource forks read whole
	nodeCacheSize = 64
)

// ErrCompressed is wrapped by the error of reading a file compressed with
// decmpfs (UF_COMPRESSED): its data is not decoded.
var ErrCompressed = errors.New("hfs: file is compressed (decmpfs)")

// errBudget is returned once the volume has used up its node visits.
var errBudget = errors.New("hfs: node visit budget exhausted (volume too large or cyclic)")

// hfsEpoch is the origin of HFS+ dates.
var hfsEpoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

// hfsTime converts an HFS+ date (seconds since 1904, UTC) to a time; 0 is
// the zero time.
func hfsTime(s uint32) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return hfsEpoch.Add(time.Duration(s) * time.Second)
}

// extent is a run of allocation blocks.
type extent struct{ start, count uint32 }

// forkData is an HFSPlusForkData: a fork's size and first eight extents.
type forkData struct {
	logicalSize uint64
	totalBlocks uint32
	extents     [8]extent
}

// parseForkData reads the 80 bytes of an HFSPlusForkData.
func parseForkData(b []byte) forkData {
	be := binary.BigEndian
	fd := forkData{logicalSize: be.Uint64(b), totalBlocks: be.Uint32(b[12:])}
	parseExtents(&fd.extents, b[16:])
	return fd
}

// parseExtents reads an HFSPlusExtentRecord (eight descriptors, 64 bytes).
func parseExtents(e *[8]extent, b []byte) {
	for i := range e {
		e[i] = extent{binary.BigEndian.Uint32(b[8*i:]), binary.BigEndian.Uint32(b[8*i+4:])}
	}
}

// FS is an HFS+ or HFSX volume. It implements fs.FS, fs.ReadDirFS,
// fs.StatFS and fs.ReadLinkFS, and is safe for concurrent use.
type FS struct {
	r           io.ReaderAt
	size        int64
	blockSize   uint32
	totalBlocks uint32
	hfsx        bool
	caseSens    bool
	journaled   bool
	volumeName  string

	extents *btree // nil when the volume has no extents overflow file
	catalog *btree
	attrs   *btree // nil when the volume has no attributes file

	privFiles uint32 // CNID of "\x00\x00\x00\x00HFS+ Private Data", or 0
	privDirs  uint32 // CNID of ".HFS+ Private Directory Data\r", or 0

	mu     sync.Mutex
	budget int64
	cache  map[nodeKey]*list.Element
	lru    list.List
}

// Names of the private directories of the root.
const (
	privFilesName = "\x00\x00\x00\x00HFS+ Private Data"
	privDirsName  = ".HFS+ Private Directory Data\r"
)

// Open reads the HFS+ ('H+', version 4) or HFSX ('HX', version 5) volume
// whose first byte is at offset 0 of r (its volume header at 1024) and
// size bytes long.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	if size < volHeaderOff+volHeaderSize {
		return nil, fmt.Errorf("hfs: volume of %d bytes is too small for a volume header", size)
	}
	h := make([]byte, volHeaderSize)
	if _, err := r.ReadAt(h, volHeaderOff); err != nil {
		return nil, fmt.Errorf("hfs: reading the volume header at %#x: %w", volHeaderOff, err)
	}
	be := binary.BigEndian
	f := &FS{r: r, size: size, cache: map[nodeKey]*list.Element{}}
	sig, version := be.Uint16(h), be.Uint16(h[2:])
	switch {
	case sig == sigHFSPlus && version == 4:
	case sig == sigHFSX && version == 5:
		f.hfsx = true
	case sig == sigHFS:
		return nil, fmt.Errorf("hfs: volume header at %#x: classic HFS or an HFS wrapper (signature BD) is not supported", volHeaderOff)
	default:
		return nil, fmt.Errorf("hfs: volume header at %#x: signature %#04x version %d is not HFS+ (H+ 4) or HFSX (HX 5)", volHeaderOff, sig, version)
	}
	f.journaled = be.Uint32(h[4:])&0x2000 != 0
	f.blockSize = be.Uint32(h[40:])
	f.totalBlocks = be.Uint32(h[44:])
	if bs := f.blockSize; bs < 512 || bs > 64<<10 || bs&(bs-1) != 0 {
		return nil, fmt.Errorf("hfs: volume header at %#x: block size %d is not a power of two from 512 to 65536", volHeaderOff, bs)
	}
	if f.totalBlocks == 0 {
		return nil, fmt.Errorf("hfs: volume header at %#x: no allocation blocks", volHeaderOff)
	}
	// Every B-tree node visit, cached or not, is charged: a volume can
	// make the reader visit at most this many, whatever its structure.
	f.budget = 1<<16 + 64*(size/512)

	var err error
	if fd := parseForkData(h[192:]); fd.logicalSize != 0 {
		fk, err := f.newFork("extents overflow file", fd, nil)
		if err != nil {
			return nil, err
		}
		if f.extents, err = f.openBTree("extents", fk, compareExtentKeys); err != nil {
			return nil, err
		}
	}
	fk, err := f.newFork("catalog file", parseForkData(h[272:]), f.overflow(cnidCatalog, dataFork))
	if err != nil {
		return nil, err
	}
	if f.catalog, err = f.openBTree("catalog", fk, nil); err != nil {
		return nil, err
	}
	f.caseSens = f.hfsx && f.catalog.compareType == compareBinaryID
	if f.caseSens {
		f.catalog.cmp = compareCatalogKeysBinary
	} else {
		f.catalog.cmp = compareCatalogKeysFold
	}
	if fd := parseForkData(h[352:]); fd.logicalSize != 0 {
		fk, err := f.newFork("attributes file", fd, f.overflow(cnidAttributes, dataFork))
		if err != nil {
			return nil, err
		}
		if f.attrs, err = f.openBTree("attributes", fk, compareAttrKeys); err != nil {
			return nil, err
		}
	}
	parent, name, err := f.thread(cnidRoot)
	if err != nil {
		return nil, fmt.Errorf("hfs: root folder thread: %w", err)
	}
	if parent != cnidRootParent {
		return nil, fmt.Errorf("hfs: root folder thread names parent %d, not %d", parent, cnidRootParent)
	}
	f.volumeName = decodeName(name)
	for _, p := range []struct {
		name string
		cnid *uint32
	}{{privFilesName, &f.privFiles}, {privDirsName, &f.privDirs}} {
		e, err := f.lookupExact(cnidRoot, encodeName(p.name))
		if err != nil {
			return nil, fmt.Errorf("hfs: looking up %q: %w", p.name, err)
		}
		if e != nil && e.isFolder {
			*p.cnid = e.CNID
		}
	}
	return f, nil
}

// CaseSensitive reports whether names are compared as binary strings: an
// HFSX volume whose catalog key compare type is 0xBC.
func (f *FS) CaseSensitive() bool { return f.caseSens }

// HFSX reports whether the volume is HFSX (signature 'HX').
func (f *FS) HFSX() bool { return f.hfsx }

// Journaled reports whether the volume header has the journaled bit set;
// the journal is never replayed.
func (f *FS) Journaled() bool { return f.journaled }

// VolumeName returns the name of the root folder.
func (f *FS) VolumeName() string { return f.volumeName }

// BlockSize returns the allocation block size in bytes.
func (f *FS) BlockSize() uint32 { return f.blockSize }
