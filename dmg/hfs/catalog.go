package hfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Catalog record types.
const (
	recFolder       = 1
	recFile         = 2
	recFolderThread = 3
	recFileThread   = 4
)

// Catalog record flags.
const (
	flagHasAttributes = 0x0004
	flagHasLinkChain  = 0x0020
)

// BSD owner flags.
const ufCompressed = 0x20

// Finder type and creator codes of hard links.
const (
	typeHardLink  = 0x686C6E6B // 'hlnk'
	creatorHFS    = 0x6866732B // 'hfs+'
	typeFolderAl  = 0x66647270 // 'fdrp'
	creatorFinder = 0x4D414353 // 'MACS'
)

// Entry is what the catalog says of a file or folder; it is the Sys() of
// the FileInfos this package returns.
type Entry struct {
	// CNID is the catalog node ID of the record holding the data and
	// attributes: for a hard link, the "iNode<N>" file (or "dir_<N>"
	// folder) of the private directory.
	CNID uint32
	// LinkCNID is the catalog node ID of the hard link record itself,
	// 0 for anything but a hard link.
	LinkCNID uint32
	// Parent is the CNID of the folder listing the entry.
	Parent uint32
	// Mode is the type and permissions, from the BSD file mode.
	Mode fs.FileMode
	// RawMode is the BSD file mode as stored.
	RawMode uint16
	// UID and GID are the BSD owner and group.
	UID, GID uint32
	// Flags are the BSD flags as stat's st_flags has them: admin flags
	// (SF_*) << 16 | owner flags (UF_*).
	Flags uint32
	// RecordFlags are the catalog record's flags (kHFSHasAttributesMask…).
	RecordFlags uint16
	// FinderInfo is userInfo then finderInfo: FileInfo and
	// ExtendedFileInfo of a file, FolderInfo and ExtendedFolderInfo of a
	// folder, as com.apple.FinderInfo has them.
	FinderInfo [32]byte
	// DataForkSize and ResourceForkSize are the forks' logical sizes.
	DataForkSize, ResourceForkSize uint64
	// Compressed is set for a file with UF_COMPRESSED or a
	// com.apple.decmpfs attribute: its data is not decoded.
	Compressed bool
	// LinkCount is the number of hard links of an indirect node (the
	// BSD special field of an "iNode<N>" file), 1 otherwise.
	LinkCount uint32
	// Valence is the number of items a folder holds.
	Valence uint32
	// Created, Modified (contentModDate), Changed (attributeModDate) and
	// Accessed are the catalog dates.
	Created, Modified, Changed, Accessed time.Time

	name     []uint16
	isFolder bool
	special  uint32
	data     forkData
	rsrc     forkData
	linkErr  error // why a hard link could not be resolved
}

// IsDir reports whether the entry is a folder.
func (e *Entry) IsDir() bool { return e.isFolder }

// parseRecord reads a folder or file record; threads give nil.
func parseRecord(key, d []byte) (*Entry, error) {
	if len(d) < 2 {
		return nil, fmt.Errorf("catalog record of %d bytes", len(d))
	}
	be := binary.BigEndian
	typ := be.Uint16(d)
	switch typ {
	case recFolderThread, recFileThread:
		return nil, nil
	case recFolder:
		if len(d) < 88 {
			return nil, fmt.Errorf("folder record of %d bytes, not 88", len(d))
		}
	case recFile:
		if len(d) < 248 {
			return nil, fmt.Errorf("file record of %d bytes, not 248", len(d))
		}
	default:
		return nil, fmt.Errorf("catalog record type %d", typ)
	}
	parent, name, ok := parseCatalogKey(key)
	if !ok {
		return nil, fmt.Errorf("malformed catalog key of %d bytes", len(key))
	}
	e := &Entry{
		Parent:      parent,
		name:        name,
		isFolder:    typ == recFolder,
		RecordFlags: be.Uint16(d[2:]),
		CNID:        be.Uint32(d[8:]),
		Created:     hfsTime(be.Uint32(d[12:])),
		Modified:    hfsTime(be.Uint32(d[16:])),
		Changed:     hfsTime(be.Uint32(d[20:])),
		Accessed:    hfsTime(be.Uint32(d[24:])),
		UID:         be.Uint32(d[32:]),
		GID:         be.Uint32(d[36:]),
		Flags:       uint32(d[40])<<16 | uint32(d[41]),
		RawMode:     be.Uint16(d[42:]),
		special:     be.Uint32(d[44:]),
		LinkCount:   1,
	}
	copy(e.FinderInfo[:], d[48:80])
	if e.isFolder {
		e.Valence = be.Uint32(d[4:])
	} else {
		e.data = parseForkData(d[88:])
		e.rsrc = parseForkData(d[168:])
		e.DataForkSize = e.data.logicalSize
		e.ResourceForkSize = e.rsrc.logicalSize
	}
	e.Mode = modeOf(e.isFolder, e.RawMode)
	e.Compressed = e.Flags&ufCompressed != 0
	return e, nil
}

// modeOf converts a BSD file mode; no mode at all (a file made without BSD
// information) gives 0755 folders and 0644 files.
func modeOf(folder bool, m uint16) fs.FileMode {
	perm := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		perm |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		perm |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		perm |= fs.ModeSticky
	}
	if folder {
		if m == 0 {
			perm = 0o755
		}
		return fs.ModeDir | perm
	}
	switch m & 0o170000 {
	case 0:
		if m == 0 {
			return 0o644
		}
		return perm
	case 0o100000:
		return perm
	case 0o120000:
		return fs.ModeSymlink | perm
	case 0o010000:
		return fs.ModeNamedPipe | perm
	case 0o020000:
		return fs.ModeDevice | fs.ModeCharDevice | perm
	case 0o060000:
		return fs.ModeDevice | perm
	case 0o140000:
		return fs.ModeSocket | perm
	}
	return fs.ModeIrregular | perm
}

// fileType and creator return the Finder type and creator codes.
func (e *Entry) fileType() uint32 { return binary.BigEndian.Uint32(e.FinderInfo[:]) }
func (e *Entry) creator() uint32  { return binary.BigEndian.Uint32(e.FinderInfo[4:]) }

// thread returns the parent and name a CNID's thread record gives.
func (f *FS) thread(cnid uint32) (parent uint32, name []uint16, err error) {
	key := catalogKey(cnid, nil)
	found := false
	err = f.catalog.scan(key, func(k, d []byte) (bool, error) {
		if p, n, ok := parseCatalogKey(k); !ok || p != cnid || len(n) != 0 {
			return true, nil
		}
		if len(d) < 10 {
			return true, fmt.Errorf("thread record of %d bytes", len(d))
		}
		be := binary.BigEndian
		if t := be.Uint16(d); t != recFolderThread && t != recFileThread {
			return true, fmt.Errorf("record type %d where the thread of CNID %d belongs", t, cnid)
		}
		n := int(be.Uint16(d[8:]))
		if n > 255 || 10+2*n > len(d) {
			return true, fmt.Errorf("thread name of %d units overruns its %d-byte record", n, len(d))
		}
		parent, name, found = be.Uint32(d[4:]), units(d[10:], n), true
		return true, nil
	})
	if err == nil && !found {
		err = fmt.Errorf("no thread record for CNID %d: %w", cnid, fs.ErrNotExist)
	}
	return parent, name, err
}

// lookupExact returns the record of parent's child whose key compares
// equal to name in the catalog's order, or nil.
func (f *FS) lookupExact(parent uint32, name []uint16) (*Entry, error) {
	key := catalogKey(parent, name)
	var e *Entry
	err := f.catalog.scan(key, func(k, d []byte) (bool, error) {
		if f.catalog.cmp(k, key) != 0 {
			return true, nil
		}
		var err error
		e, err = parseRecord(k, d)
		return true, err
	})
	return e, err
}

// children calls fn with each folder and file record whose parent is
// parent, in catalog order.
func (f *FS) children(parent uint32, fn func(*Entry) (stop bool, err error)) error {
	return f.catalog.scan(catalogKey(parent, nil), func(k, d []byte) (bool, error) {
		p, _, _ := parseCatalogKey(k)
		if p != parent {
			return p > parent, nil
		}
		e, err := parseRecord(k, d)
		if err != nil || e == nil {
			return false, err
		}
		return fn(e)
	})
}

// sameName reports whether two stored names are the same name on this
// volume.
func (f *FS) sameName(a, b []uint16) bool {
	if f.caseSens {
		return compareBinary(a, b) == 0
	}
	return compareFold(a, b) == 0
}

// lookup finds parent's child named name: through the B-tree, then, should
// the volume's order differ from ours, by scanning the folder. Hard links
// are resolved. A missing name gives an error wrapping fs.ErrNotExist.
func (f *FS) lookup(parent uint32, name []uint16) (*Entry, error) {
	e, err := f.lookupExact(parent, name)
	if err != nil {
		return nil, err
	}
	if e == nil {
		err = f.children(parent, func(c *Entry) (bool, error) {
			if f.sameName(c.name, name) {
				e = c
				return true, nil
			}
			return false, nil
		})
		if err != nil {
			return nil, err
		}
	}
	if e == nil {
		return nil, fs.ErrNotExist
	}
	return f.finish(e), nil
}

// finish resolves a hard link and detects decmpfs compression.
func (f *FS) finish(e *Entry) *Entry {
	if !e.isFolder {
		switch {
		case e.fileType() == typeHardLink && e.creator() == creatorHFS:
			e = f.resolveLink(e, f.privFiles, fmt.Sprintf("iNode%d", e.special), false)
		case e.fileType() == typeFolderAl && e.creator() == creatorFinder && e.RecordFlags&flagHasLinkChain != 0:
			e = f.resolveLink(e, f.privDirs, fmt.Sprintf("dir_%d", e.special), true)
		}
	}
	if !e.isFolder && !e.Compressed && e.RecordFlags&flagHasAttributes != 0 {
		if v, err := f.attr(e.CNID, "com.apple.decmpfs", 64); err == nil && v != nil {
			e.Compressed = true
		}
	}
	return e
}

// resolveLink returns the indirect node a hard link names, with the link's
// name and parent; on failure, the link itself with linkErr set.
func (f *FS) resolveLink(link *Entry, dir uint32, name string, folder bool) *Entry {
	fail := func(err error) *Entry {
		l := *link
		l.linkErr = fmt.Errorf("hfs: hard link %d to %q: %w", link.CNID, name, err)
		return &l
	}
	if dir == 0 {
		return fail(errors.New("the volume has no private directory for it"))
	}
	t, err := f.lookupExact(dir, encodeName(name))
	if err != nil {
		return fail(err)
	}
	if t == nil {
		return fail(fs.ErrNotExist)
	}
	if t.isFolder != folder {
		return fail(errors.New("the indirect node is of the wrong kind"))
	}
	if !folder {
		t.LinkCount = t.special
	}
	t.LinkCNID = link.CNID
	t.Parent = link.Parent
	t.name = link.name
	return t
}
