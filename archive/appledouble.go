package archive

import (
	"encoding/binary"
	"fmt"
)

// AppleDoubleFile is a decoded AppleDouble file ("._name"): the resource fork,
// Finder info and extended attributes of the file "name", as macOS writes
// them on file systems and in archives that cannot hold them natively.
type AppleDoubleFile struct {
	FinderInfo   []byte
	ResourceFork []byte
	Xattrs       map[string][]byte
}

const (
	appleDoubleMagic   = 0x00051607
	adEntryResource    = 2
	adEntryFinderInfo  = 9
	adAttrMagic        = 0x41545452 // "ATTR"
	adFinderInfoLen    = 32
	adAttrHeaderOffset = 34 // Finder info, then two bytes of padding
	adMaxAttrs         = 4096
)

// IsAppleDouble reports whether b starts with the AppleDouble magic.
func IsAppleDouble(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == appleDoubleMagic
}

// ParseAppleDouble decodes an AppleDouble file. Every offset and length is
// checked against the file.
func ParseAppleDouble(b []byte) (*AppleDoubleFile, error) {
	be := binary.BigEndian
	if len(b) < 26 || be.Uint32(b) != appleDoubleMagic {
		return nil, fmt.Errorf("AppleDouble at 0x0: bad magic")
	}
	n := int(be.Uint16(b[24:]))
	if 26+n*12 > len(b) {
		return nil, fmt.Errorf("AppleDouble at 0x18: %d entries do not fit in %d bytes", n, len(b))
	}
	ad := &AppleDoubleFile{Xattrs: map[string][]byte{}}
	for i := 0; i < n; i++ {
		e := b[26+i*12:]
		id, off, length := be.Uint32(e), be.Uint32(e[4:]), be.Uint32(e[8:])
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return nil, fmt.Errorf("AppleDouble entry %d at %#x: [%#x, +%#x) runs past the file", i, 26+i*12, off, length)
		}
		data := b[off : off+length]
		switch id {
		case adEntryResource:
			ad.ResourceFork = data
		case adEntryFinderInfo:
			if len(data) >= adFinderInfoLen {
				ad.FinderInfo = data[:adFinderInfoLen]
			}
			if err := ad.parseAttrs(b, int(off)); err != nil {
				return nil, err
			}
		}
	}
	return ad, nil
}

// parseAttrs reads the "ATTR" block macOS appends to the Finder info entry.
func (ad *AppleDoubleFile) parseAttrs(b []byte, finderInfo int) error {
	be := binary.BigEndian
	h := finderInfo + adAttrHeaderOffset
	if h+36 > len(b) || be.Uint32(b[h:]) != adAttrMagic {
		return nil // Finder info only
	}
	count := int(be.Uint16(b[h+34:]))
	if count > adMaxAttrs {
		return fmt.Errorf("AppleDouble attributes at %#x: %d entries", h, count)
	}
	p := h + 36
	for i := 0; i < count; i++ {
		if p+11 > len(b) {
			return fmt.Errorf("AppleDouble attribute %d at %#x: truncated", i, p)
		}
		off, length, nameLen := be.Uint32(b[p:]), be.Uint32(b[p+4:]), int(b[p+10])
		if p+11+nameLen > len(b) || nameLen == 0 {
			return fmt.Errorf("AppleDouble attribute %d at %#x: name runs past the file", i, p)
		}
		name := string(b[p+11 : p+11+nameLen-1]) // NUL-terminated
		if uint64(off)+uint64(length) > uint64(len(b)) {
			return fmt.Errorf("AppleDouble attribute %q at %#x: value runs past the file", name, p)
		}
		ad.Xattrs[name] = b[off : off+length]
		p = (p + 11 + nameLen + 3) &^ 3
	}
	return nil
}
