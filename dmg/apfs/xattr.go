package apfs

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/notarylint/notarylint/dmg"
)

// Extended attribute names and flags.
const (
	xattrSymlink      = "com.apple.fs.symlink"
	xattrDecmpfs      = "com.apple.decmpfs"
	xattrFinderInfo   = "com.apple.FinderInfo"
	xattrResourceFork = "com.apple.ResourceFork"

	xattrDataStream   = 0x1
	xattrDataEmbedded = 0x2

	// MaxXattrSize bounds the attribute values Xattr returns (resource
	// forks included).
	MaxXattrSize = 16 << 20

	decmpfsMagic = 0x636d7066 // "fpmc"
)

// xattr is an extended attribute record.
type xattr struct {
	owner  uint64
	name   string
	flags  uint16
	data   []byte // embedded data
	stream *dataStream
}

// xattrs calls fn for every extended attribute of object id.
func (f *FS) xattrs(id uint64, fn func(x *xattr) (bool, error)) error {
	le := binary.LittleEndian
	return f.records(id, typeXattr, func(k, v []byte) (bool, error) {
		if len(k) < 10 {
			return false, fmt.Errorf("apfs fs tree: inode %d: attribute key of %d bytes: %w", id, len(k), ErrFormat)
		}
		n := int(le.Uint16(k[8:]))
		name := k[10:]
		if n == 0 || n > len(name) {
			return false, fmt.Errorf("apfs fs tree: inode %d: attribute name length %d in a key of %d bytes: %w", id, n, len(k), ErrFormat)
		}
		name = name[:n]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if len(v) < 4 {
			return false, fmt.Errorf("apfs fs tree: inode %d: attribute %q: value of %d bytes: %w", id, name, len(v), ErrFormat)
		}
		x := &xattr{owner: id, name: string(name), flags: le.Uint16(v)}
		dlen := int(le.Uint16(v[2:]))
		if dlen > len(v)-4 {
			return false, fmt.Errorf("apfs fs tree: inode %d: attribute %q: %d bytes of data in a value of %d: %w", id, name, dlen, len(v), ErrFormat)
		}
		data := v[4 : 4+dlen]
		switch {
		case x.flags&xattrDataEmbedded != 0 && x.flags&xattrDataStream == 0:
			x.data = data
		case x.flags&xattrDataStream != 0 && x.flags&xattrDataEmbedded == 0:
			if len(data) < 8+dstreamLen {
				return false, fmt.Errorf("apfs fs tree: inode %d: attribute %q: stream reference of %d bytes: %w", id, name, len(data), ErrFormat)
			}
			x.stream = &dataStream{f: f, id: le.Uint64(data), size: le.Uint64(data[8:])}
		default:
			return false, fmt.Errorf("apfs fs tree: inode %d: attribute %q: flags %#x name neither embedded data nor a stream: %w", id, name, x.flags, ErrFormat)
		}
		return fn(x)
	})
}

// xattr finds attribute name of object id.
func (f *FS) xattr(id uint64, name string) (*xattr, bool, error) {
	var found *xattr
	err := f.xattrs(id, func(x *xattr) (bool, error) {
		if x.name == name {
			found = x
			return false, nil
		}
		return true, nil
	})
	return found, found != nil, err
}

// xattrData returns the value of attribute x, which must be at most limit
// bytes.
func (f *FS) xattrData(x *xattr, limit uint64) ([]byte, error) {
	if x.stream == nil {
		if uint64(len(x.data)) > limit {
			return nil, fmt.Errorf("apfs: inode %d: attribute %q of %d bytes exceeds %d", x.owner, x.name, len(x.data), limit)
		}
		return bytes.Clone(x.data), nil
	}
	b, err := x.stream.readAll(limit)
	if err != nil {
		return nil, fmt.Errorf("apfs: inode %d: attribute %q: %w", x.owner, x.name, err)
	}
	return b, nil
}

// compression reports whether inode n is compressed (UF_COMPRESSED or a
// com.apple.decmpfs attribute) and, if so, the uncompressed size of the
// decmpfs header (zero when the header is missing or unreadable).
func (f *FS) compression(n *inode) (uint64, bool, error) {
	x, ok, err := f.xattr(n.id, xattrDecmpfs)
	if err != nil {
		return 0, false, err
	}
	if !ok {
		return 0, n.bsdFlags&bsdCompressed != 0, nil
	}
	b := x.data
	if x.stream != nil {
		return 0, true, nil
	}
	if len(b) >= 16 && binary.LittleEndian.Uint32(b) == decmpfsMagic {
		return binary.LittleEndian.Uint64(b[8:]), true, nil
	}
	return 0, true, nil
}

// Xattr returns the value of extended attribute attr of name (a symbolic
// link in the last element of name is not followed), or nil and no error
// when name has no such attribute. com.apple.FinderInfo is returned as its
// 32 bytes, or nil when they are all zero; values, resource forks
// included, are limited to MaxXattrSize bytes.
func (f *FS) Xattr(name, attr string) ([]byte, error) {
	r, err := f.resolve("getxattr", name, false)
	if err != nil {
		return nil, err
	}
	x, ok, err := f.xattr(r.ino.id, attr)
	if err != nil {
		return nil, pathError("getxattr", name, err)
	}
	if !ok {
		return nil, nil
	}
	b, err := f.xattrData(x, MaxXattrSize)
	if err != nil {
		return nil, pathError("getxattr", name, err)
	}
	if attr == xattrFinderInfo {
		if len(b) != 32 {
			return nil, pathError("getxattr", name, fmt.Errorf("apfs: inode %d: Finder info of %d bytes, want 32: %w", r.ino.id, len(b), ErrFormat))
		}
		return dmg.FinderInfoXattr(b, r.ino.mode&0o170000 == 0o120000), nil
	}
	return b, nil
}

// XattrNames returns the names of the extended attributes of name (a
// symbolic link in the last element is not followed), in the volume's
// order, including the ones APFS uses internally (com.apple.fs.symlink,
// com.apple.decmpfs).
func (f *FS) XattrNames(name string) ([]string, error) {
	r, err := f.resolve("listxattr", name, false)
	if err != nil {
		return nil, err
	}
	var names []string
	err = f.xattrs(r.ino.id, func(x *xattr) (bool, error) {
		names = append(names, x.name)
		return true, nil
	})
	if err != nil {
		return nil, pathError("listxattr", name, err)
	}
	return names, nil
}
