package apfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// File system record types (the high four bits of obj_id_and_type).
const (
	typeInode      = 3
	typeXattr      = 4
	typeSibling    = 5
	typeDstreamID  = 6
	typeFileExtent = 8
	typeDirRec     = 9

	objIDMask   = 0x0fffffffffffffff
	typeShift   = 60
	rootDirID   = 2
	inodeValLen = 92 // j_inode_val_t up to xfields

	inoExtName    = 4
	inoExtDstream = 8
	dstreamLen    = 40

	inodeHasFinderInfo = 0x100
	inodeHasRsrcFork   = 0x4000
	bsdCompressed      = 0x20

	maxNameLen = 1024
)

// fsKey returns the object id and record type of a file system key.
func fsKey(k []byte) (uint64, uint8) {
	h := binary.LittleEndian.Uint64(k)
	return h & objIDMask, uint8(h >> typeShift)
}

// cmpIDType compares the header of key k with (id, typ).
func cmpIDType(k []byte, id uint64, typ uint8) int {
	kid, kt := fsKey(k)
	switch {
	case kid < id:
		return -1
	case kid > id:
		return 1
	case kt < typ:
		return -1
	case kt > typ:
		return 1
	}
	return 0
}

// records calls fn for every record of object id with type typ, in key
// order.
func (f *FS) records(id uint64, typ uint8, fn func(k, v []byte) (bool, error)) error {
	return f.vol.fsTree.walk(func(k []byte) int { return cmpIDType(k, id, typ) }, fn)
}

// inode is a decoded j_inode_val_t.
type inode struct {
	id            uint64
	parent        uint64
	private       uint64
	createTime    int64
	modTime       int64
	changeTime    int64
	accessTime    int64
	internalFlags uint64
	nlink         int32 // nchildren for directories
	bsdFlags      uint32
	owner, group  uint32
	mode          uint16
	name          string
	hasDstream    bool
	size          uint64
	allocSize     uint64
}

const (
	sIFMT   = 0o170000
	sIFIFO  = 0o010000
	sIFCHR  = 0o020000
	sIFDIR  = 0o040000
	sIFBLK  = 0o060000
	sIFREG  = 0o100000
	sIFLNK  = 0o120000
	sIFSOCK = 0o140000
)

func (n *inode) isDir() bool     { return n.mode&sIFMT == sIFDIR }
func (n *inode) isSymlink() bool { return n.mode&sIFMT == sIFLNK }

// inode reads the inode record of object id.
func (f *FS) inode(id uint64) (*inode, error) {
	var val []byte
	err := f.records(id, typeInode, func(k, v []byte) (bool, error) {
		if len(k) != 8 {
			return false, fmt.Errorf("apfs fs tree: inode %d: key of %d bytes: %w", id, len(k), ErrFormat)
		}
		val = v
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if val == nil {
		return nil, fmt.Errorf("apfs fs tree: inode %d not found: %w", id, ErrFormat)
	}
	return parseInode(id, val)
}

func parseInode(id uint64, v []byte) (*inode, error) {
	le := binary.LittleEndian
	if len(v) < inodeValLen {
		return nil, fmt.Errorf("apfs fs tree: inode %d: value of %d bytes: %w", id, len(v), ErrFormat)
	}
	n := &inode{
		id:            id,
		parent:        le.Uint64(v[0:]),
		private:       le.Uint64(v[8:]),
		createTime:    int64(le.Uint64(v[16:])),
		modTime:       int64(le.Uint64(v[24:])),
		changeTime:    int64(le.Uint64(v[32:])),
		accessTime:    int64(le.Uint64(v[40:])),
		internalFlags: le.Uint64(v[48:]),
		nlink:         int32(le.Uint32(v[56:])),
		bsdFlags:      le.Uint32(v[68:]),
		owner:         le.Uint32(v[72:]),
		group:         le.Uint32(v[76:]),
		mode:          le.Uint16(v[80:]),
	}
	err := parseXfields(v[inodeValLen:], func(typ uint8, data []byte) error {
		switch typ {
		case inoExtName:
			if i := bytes.IndexByte(data, 0); i >= 0 {
				data = data[:i]
			}
			n.name = string(data)
		case inoExtDstream:
			if len(data) < dstreamLen {
				return fmt.Errorf("dstream field of %d bytes", len(data))
			}
			n.hasDstream = true
			n.size = le.Uint64(data)
			n.allocSize = le.Uint64(data[8:])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("apfs fs tree: inode %d: extended fields: %v: %w", id, err, ErrFormat)
	}
	return n, nil
}

// parseXfields calls fn for every extended field of the xf_blob_t b (which
// may be empty: no fields).
func parseXfields(b []byte, fn func(typ uint8, data []byte) error) error {
	if len(b) == 0 {
		return nil
	}
	le := binary.LittleEndian
	if len(b) < 4 {
		return fmt.Errorf("blob of %d bytes", len(b))
	}
	num := int(le.Uint16(b))
	used := int(le.Uint16(b[2:]))
	hdr := 4
	data := hdr + 4*num
	if data > len(b) || used > len(b)-data {
		return fmt.Errorf("%d fields with %d bytes of data overrun a blob of %d bytes", num, used, len(b))
	}
	off := data
	for i := 0; i < num; i++ {
		h := b[hdr+4*i:]
		typ, size := h[0], int(le.Uint16(h[2:]))
		if size > data+used-off {
			return fmt.Errorf("field %d (type %d) of %d bytes overruns the blob", i, typ, size)
		}
		if err := fn(typ, b[off:off+size]); err != nil {
			return err
		}
		off += (size + 7) &^ 7
	}
	return nil
}

// dirent is a directory record.
type dirent struct {
	name   string
	fileID uint64
	dtype  uint16
}

// drecName decodes the name of directory record key k.
func (f *FS) drecName(k []byte) (string, error) {
	le := binary.LittleEndian
	var n int
	var name []byte
	if f.vol.hashed {
		if len(k) < 12 {
			return "", fmt.Errorf("hashed directory key of %d bytes", len(k))
		}
		n = int(le.Uint32(k[8:]) & 0x3ff)
		name = k[12:]
	} else {
		if len(k) < 10 {
			return "", fmt.Errorf("directory key of %d bytes", len(k))
		}
		n = int(le.Uint16(k[8:]))
		name = k[10:]
	}
	if n == 0 || n > len(name) {
		return "", fmt.Errorf("name length %d in a key of %d bytes", n, len(k))
	}
	name = name[:n]
	if name[n-1] == 0 {
		name = name[:n-1]
	}
	return string(name), nil
}

func validName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00")
}

func parseDirent(f *FS, dir uint64, k, v []byte) (dirent, error) {
	name, err := f.drecName(k)
	if err != nil {
		return dirent{}, fmt.Errorf("apfs fs tree: directory %d: %v: %w", dir, err, ErrFormat)
	}
	if !validName(name) {
		return dirent{}, fmt.Errorf("apfs fs tree: directory %d: invalid entry name %q: %w", dir, name, ErrFormat)
	}
	if len(v) < 18 {
		return dirent{}, fmt.Errorf("apfs fs tree: directory %d: entry %q: value of %d bytes: %w", dir, name, len(v), ErrFormat)
	}
	le := binary.LittleEndian
	return dirent{name: name, fileID: le.Uint64(v), dtype: le.Uint16(v[16:]) & 0xf}, nil
}

// readDir returns the records of directory dir, in key order.
func (f *FS) readDir(dir uint64) ([]dirent, error) {
	var out []dirent
	err := f.records(dir, typeDirRec, func(k, v []byte) (bool, error) {
		d, err := parseDirent(f, dir, k, v)
		if err != nil {
			return false, err
		}
		out = append(out, d)
		return true, nil
	})
	return out, err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// foldName returns name as the volume compares it: NFD-normalized, and
// case-folded on case-insensitive volumes.
func foldName(name string, caseInsensitive bool) string {
	if caseInsensitive {
		name = cases.Fold().String(name)
	}
	return norm.NFD.String(name)
}

// NameHash returns the 22-bit hash APFS stores in the name_len_and_hash
// field of hashed directory keys: the complement of the CRC-32C of the
// UTF-32LE code points of the name, NFD-normalized and, when
// caseInsensitive, case-folded.
func NameHash(name string, caseInsensitive bool) uint32 {
	s := foldName(name, caseInsensitive)
	buf := make([]byte, 0, 4*utf8.RuneCountInString(s))
	for _, r := range s {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(r))
	}
	return ^crc32.Checksum(buf, castagnoli) & 0x3fffff
}

// lookup finds the entry name in directory dir.
func (f *FS) lookup(dir uint64, name string) (dirent, bool, error) {
	var found dirent
	ok := false
	var cmp rangeFunc
	var want string
	if f.vol.hashed {
		hash := NameHash(name, f.vol.caseInsensitive)
		want = foldName(name, f.vol.caseInsensitive)
		cmp = func(k []byte) int {
			if c := cmpIDType(k, dir, typeDirRec); c != 0 || len(k) < 12 {
				return c
			}
			h := binary.LittleEndian.Uint32(k[8:]) >> 10
			switch {
			case h < hash:
				return -1
			case h > hash:
				return 1
			}
			return 0
		}
	} else {
		cmp = func(k []byte) int {
			if c := cmpIDType(k, dir, typeDirRec); c != 0 {
				return c
			}
			n, err := f.drecName(k)
			if err != nil {
				return 0 // let the visit report it
			}
			return strings.Compare(n, name)
		}
	}
	err := f.vol.fsTree.walk(cmp, func(k, v []byte) (bool, error) {
		d, err := parseDirent(f, dir, k, v)
		if err != nil {
			return false, err
		}
		if f.vol.hashed && foldName(d.name, f.vol.caseInsensitive) != want {
			return true, nil
		}
		if !f.vol.hashed && d.name != name {
			return true, nil
		}
		found, ok = d, true
		return false, nil
	})
	return found, ok, err
}
