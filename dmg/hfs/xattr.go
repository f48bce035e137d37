package hfs

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"unicode/utf16"

	"github.com/notarylint/notarylint/dmg"
)

// Attribute record types.
const (
	attrInline  = 0x10
	attrFork    = 0x20
	attrExtents = 0x30
)

// Names of the attributes synthesized from the catalog record.
const (
	xattrFinderInfo   = "com.apple.FinderInfo"
	xattrResourceFork = "com.apple.ResourceFork"
)

// Xattr returns the extended attribute attr of name, not following a final
// symbolic link (as getxattr with XATTR_NOFOLLOW): "com.apple.FinderInfo"
// is the 32 bytes of Finder info as macOS shows them (dmg.FinderInfoXattr:
// nil when only the fields the kernel hides are set),
// "com.apple.ResourceFork" the resource fork (nil when empty, an error
// past 16 MiB), any other the value from the attributes B-tree, inline or
// stored as a fork (at most 16 MiB). An absent attribute gives nil, nil.
func (f *FS) Xattr(name, attr string) ([]byte, error) {
	e, err := f.resolve("getxattr", name, false)
	if err != nil {
		return nil, err
	}
	fail := func(err error) ([]byte, error) {
		return nil, &fs.PathError{Op: "getxattr", Path: name, Err: fmt.Errorf("%s: %w", attr, err)}
	}
	switch attr {
	case xattrFinderInfo:
		return dmg.FinderInfoXattr(e.FinderInfo[:], e.Mode&fs.ModeSymlink != 0), nil
	case xattrResourceFork:
		if e.isFolder || e.rsrc.logicalSize == 0 {
			return nil, nil
		}
		k, err := f.newFork(fmt.Sprintf("file %d resource fork", e.CNID), e.rsrc, f.overflow(e.CNID, resourceFork))
		if err != nil {
			return fail(err)
		}
		b, err := k.readAll(maxXattrSize)
		if err != nil {
			return fail(err)
		}
		return b, nil
	}
	v, err := f.attr(e.CNID, attr, maxXattrSize)
	if err != nil {
		return fail(err)
	}
	return v, nil
}

// XattrNames lists the extended attributes of name, not following a final
// symbolic link: com.apple.FinderInfo when the Finder info is not all
// zero, com.apple.ResourceFork when there is a resource fork, then the
// attributes B-tree's in its order, as listxattr does.
func (f *FS) XattrNames(name string) ([]string, error) {
	e, err := f.resolve("listxattr", name, false)
	if err != nil {
		return nil, err
	}
	var names []string
	if dmg.FinderInfoXattr(e.FinderInfo[:], e.Mode&fs.ModeSymlink != 0) != nil {
		names = append(names, xattrFinderInfo)
	}
	if !e.isFolder && e.rsrc.logicalSize != 0 {
		names = append(names, xattrResourceFork)
	}
	if f.attrs == nil {
		return names, nil
	}
	err = f.attrs.scan(attrKey(e.CNID, nil, 0), func(k, d []byte) (bool, error) {
		cnid, _, n, ok := parseAttrKey(k)
		if cnid != e.CNID {
			return cnid > e.CNID, nil
		}
		if !ok {
			return true, fmt.Errorf("malformed attribute key of %d bytes", len(k))
		}
		if len(d) >= 4 {
			if t := binary.BigEndian.Uint32(d); t == attrInline || t == attrFork {
				names = append(names, string(utf16.Decode(n)))
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, &fs.PathError{Op: "listxattr", Path: name, Err: err}
	}
	return names, nil
}

// attr reads attribute name of cnid from the attributes B-tree, at most
// limit bytes; nil, nil when absent.
func (f *FS) attr(cnid uint32, name string, limit int64) ([]byte, error) {
	if f.attrs == nil {
		return nil, nil
	}
	u := utf16.Encode([]rune(name))
	if len(u) > 127 {
		return nil, nil
	}
	key := attrKey(cnid, u, 0)
	var rec []byte
	err := f.attrs.scan(key, func(k, d []byte) (bool, error) {
		if compareAttrKeys(k, key) == 0 {
			rec = d
		}
		return true, nil
	})
	if err != nil || rec == nil {
		return nil, err
	}
	be := binary.BigEndian
	if len(rec) < 4 {
		return nil, fmt.Errorf("attribute record of %d bytes", len(rec))
	}
	switch t := be.Uint32(rec); t {
	case attrInline:
		if len(rec) < 16 {
			return nil, fmt.Errorf("inline attribute record of %d bytes", len(rec))
		}
		size := int64(be.Uint32(rec[12:]))
		if size > int64(len(rec)-16) {
			return nil, fmt.Errorf("inline attribute of %d bytes overruns its %d-byte record", size, len(rec))
		}
		if size > limit {
			return nil, fmt.Errorf("attribute of %d bytes, more than the %d allowed", size, limit)
		}
		return append([]byte{}, rec[16:16+size]...), nil
	case attrFork:
		if len(rec) < 88 {
			return nil, fmt.Errorf("fork attribute record of %d bytes", len(rec))
		}
		k, err := f.newFork(fmt.Sprintf("attribute %q of CNID %d", name, cnid), parseForkData(rec[8:]), func(start uint32) ([8]extent, error) {
			return f.attrExtents(cnid, u, start)
		})
		if err != nil {
			return nil, err
		}
		return k.readAll(limit)
	default:
		return nil, fmt.Errorf("attribute record type %#x", t)
	}
}

// attrExtents returns the extents record continuing a fork attribute.
func (f *FS) attrExtents(cnid uint32, name []uint16, start uint32) ([8]extent, error) {
	var e [8]extent
	key := attrKey(cnid, name, start)
	found := false
	err := f.attrs.scan(key, func(k, d []byte) (bool, error) {
		if compareAttrKeys(k, key) != 0 {
			return true, nil
		}
		if len(d) < 72 || binary.BigEndian.Uint32(d) != attrExtents {
			return true, fmt.Errorf("attribute extents record of %d bytes, type %#x", len(d), d[:min(4, len(d))])
		}
		parseExtents(&e, d[8:])
		found = true
		return true, nil
	})
	if err == nil && !found {
		err = fmt.Errorf("no attribute extents record at block %d", start)
	}
	return e, err
}
