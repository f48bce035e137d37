package apfs

import (
	"encoding/binary"
	"fmt"
)

// omap is an object map: virtual object ids to physical blocks.
type omap struct {
	what  string
	flags uint32
	tree  *tree
}

// openOmap reads the omap_phys_t at block bno and its B-tree root.
func (f *FS) openOmap(bno uint64, what string) (*omap, error) {
	b, err := f.readObject(bno, objOmap, 0, what+" object map")
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if le.Uint64(b[8:]) != bno {
		return nil, fmt.Errorf("apfs %s object map at block %d: object id %#x is not its block: %w", what, bno, le.Uint64(b[8:]), ErrFormat)
	}
	treeType := le.Uint32(b[40:])
	if treeType&objStorageMask != objPhysical || treeType&objTypeMask != objBtree {
		return nil, fmt.Errorf("apfs %s object map at block %d: tree type %#x is not a physical B-tree: %w", what, bno, treeType, ErrFormat)
	}
	m := &omap{what: what, flags: le.Uint32(b[32:])}
	m.tree = &tree{
		f:        f,
		what:     what + " omap",
		rootOID:  le.Uint64(b[48:]),
		subtype:  objOmap,
		keySize:  16,
		valSize:  16,
		physical: true,
		minKey:   16,
	}
	// Read the root now so that a broken map fails Open.
	if _, err := m.tree.node(m.tree.rootOID, -1, true); err != nil {
		return nil, err
	}
	return m, nil
}

// omapVal is an object map value.
type omapVal struct {
	flags uint32
	size  uint32
	paddr uint64
	xid   uint64
}

// lookup returns the mapping of oid with the highest transaction id not
// above xid.
func (m *omap) lookup(oid, xid uint64) (omapVal, error) {
	le := binary.LittleEndian
	var found omapVal
	ok := false
	err := m.tree.walk(func(k []byte) int {
		ko := le.Uint64(k)
		switch {
		case ko < oid:
			return -1
		case ko > oid:
			return 1
		}
		if le.Uint64(k[8:]) > xid {
			return 1
		}
		return 0
	}, func(k, v []byte) (bool, error) {
		found = omapVal{flags: le.Uint32(v), size: le.Uint32(v[4:]), paddr: le.Uint64(v[8:]), xid: le.Uint64(k[8:])}
		ok = true
		return true, nil
	})
	if err != nil {
		return omapVal{}, err
	}
	if !ok || found.flags&omapValDeleted != 0 {
		return omapVal{}, fmt.Errorf("apfs %s: object %#x (xid %d) not mapped: %w", m.what, oid, xid, ErrFormat)
	}
	return found, nil
}

// resolver returns a function mapping virtual oids at transaction xid to
// blocks, for trees whose nodes are virtual objects.
func (m *omap) resolver(f *FS, xid uint64) func(uint64) (uint64, error) {
	return func(oid uint64) (uint64, error) {
		v, err := m.lookup(oid, xid)
		if err != nil {
			return 0, err
		}
		if v.flags&omapValEncrypted != 0 {
			return 0, fmt.Errorf("apfs %s: object %#x is encrypted: %w", m.what, oid, ErrEncrypted)
		}
		if v.flags&omapValNoHeader != 0 {
			return 0, fmt.Errorf("apfs %s: object %#x has no header, not supported: %w", m.what, oid, ErrFormat)
		}
		if v.size != f.bs {
			return 0, fmt.Errorf("apfs %s: object %#x of %d bytes, not one block: %w", m.what, oid, v.size, ErrFormat)
		}
		return v.paddr, nil
	}
}
