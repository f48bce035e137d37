package hfs

import "encoding/binary"

// A key here is a B-tree key without its length field.

// catalogKey returns the key of a catalog record: parent CNID, then the
// name's length and UTF-16 units.
func catalogKey(parent uint32, name []uint16) []byte {
	k := binary.BigEndian.AppendUint32(nil, parent)
	k = binary.BigEndian.AppendUint16(k, uint16(len(name)))
	for _, u := range name {
		k = binary.BigEndian.AppendUint16(k, u)
	}
	return k
}

// parseCatalogKey splits a catalog key, clamping a name that overruns it;
// ok is false when the key is malformed.
func parseCatalogKey(k []byte) (parent uint32, name []uint16, ok bool) {
	if len(k) < 6 {
		if len(k) >= 4 {
			parent = binary.BigEndian.Uint32(k)
		}
		return parent, nil, false
	}
	parent = binary.BigEndian.Uint32(k)
	n := int(binary.BigEndian.Uint16(k[4:]))
	ok = n <= 255 && 6+2*n <= len(k)
	n = min(n, (len(k)-6)/2)
	return parent, units(k[6:], n), ok
}

// compareCatalogKeysFold orders catalog keys of HFS+ and case-insensitive
// HFSX: parent CNID, then name by FastUnicodeCompare.
func compareCatalogKeysFold(a, b []byte) int {
	pa, na, _ := parseCatalogKey(a)
	pb, nb, _ := parseCatalogKey(b)
	if pa != pb {
		return cmpU32(pa, pb)
	}
	return compareFold(na, nb)
}

// compareCatalogKeysBinary orders catalog keys of case-sensitive HFSX.
func compareCatalogKeysBinary(a, b []byte) int {
	pa, na, _ := parseCatalogKey(a)
	pb, nb, _ := parseCatalogKey(b)
	if pa != pb {
		return cmpU32(pa, pb)
	}
	return compareBinary(na, nb)
}

// extentKey returns the key of an extents overflow record.
func extentKey(forkType byte, cnid, start uint32) []byte {
	k := []byte{forkType, 0}
	k = binary.BigEndian.AppendUint32(k, cnid)
	return binary.BigEndian.AppendUint32(k, start)
}

// compareExtentKeys orders extent keys: file ID, fork type, start block.
// A malformed key sorts first.
func compareExtentKeys(a, b []byte) int {
	if len(a) < 10 || len(b) < 10 {
		return cmpU32(uint32(len(a)), uint32(len(b)))
	}
	be := binary.BigEndian
	if c := cmpU32(be.Uint32(a[2:]), be.Uint32(b[2:])); c != 0 {
		return c
	}
	if c := cmpU32(uint32(a[0]), uint32(b[0])); c != 0 {
		return c
	}
	return cmpU32(be.Uint32(a[6:]), be.Uint32(b[6:]))
}

// attrKey returns the key of an attributes B-tree record.
func attrKey(cnid uint32, name []uint16, start uint32) []byte {
	k := []byte{0, 0}
	k = binary.BigEndian.AppendUint32(k, cnid)
	k = binary.BigEndian.AppendUint32(k, start)
	k = binary.BigEndian.AppendUint16(k, uint16(len(name)))
	for _, u := range name {
		k = binary.BigEndian.AppendUint16(k, u)
	}
	return k
}

// parseAttrKey splits an attribute key, clamping an overrunning name.
func parseAttrKey(k []byte) (cnid, start uint32, name []uint16, ok bool) {
	if len(k) < 12 {
		if len(k) >= 6 {
			cnid = binary.BigEndian.Uint32(k[2:])
		}
		return cnid, 0, nil, false
	}
	be := binary.BigEndian
	cnid, start = be.Uint32(k[2:]), be.Uint32(k[6:])
	n := int(be.Uint16(k[10:]))
	ok = n <= 127 && 12+2*n <= len(k)
	n = min(n, (len(k)-12)/2)
	return cnid, start, units(k[12:], n), ok
}

// compareAttrKeys orders attribute keys: file ID, name (binary), start
// block, as xnu's hfs_attrkeycompare.
func compareAttrKeys(a, b []byte) int {
	ca, sa, na, _ := parseAttrKey(a)
	cb, sb, nb, _ := parseAttrKey(b)
	if ca != cb {
		return cmpU32(ca, cb)
	}
	if c := compareBinary(na, nb); c != 0 {
		return c
	}
	return cmpU32(sa, sb)
}

func cmpU32(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
