package apfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// volume is the state of the opened volume.
type volume struct {
	oid             uint64
	block           uint64
	xid             uint64
	name            string
	incompat        uint64
	fsFlags         uint64
	caseInsensitive bool
	hashed          bool // directory records use hashed keys
	omap            *omap
	fsTree          *tree
}

// readVolumeSuper reads the volume superblock with virtual object id oid
// through the container object map.
func (f *FS) readVolumeSuper(oid uint64) ([]byte, uint64, error) {
	v, err := f.nxOmap.lookup(oid, f.nxXID)
	if err != nil {
		return nil, 0, fmt.Errorf("apfs: volume %#x: %w", oid, err)
	}
	if v.flags&(omapValEncrypted|omapValNoHeader) != 0 {
		return nil, 0, fmt.Errorf("apfs: volume %#x: unsupported object map flags %#x: %w", oid, v.flags, ErrFormat)
	}
	b, err := f.readObject(v.paddr, objFS, 0, "volume superblock")
	if err != nil {
		return nil, 0, err
	}
	le := binary.LittleEndian
	if le.Uint64(b[8:]) != oid {
		return nil, 0, fmt.Errorf("apfs volume superblock at block %d: object id %#x, want %#x: %w", v.paddr, le.Uint64(b[8:]), oid, ErrFormat)
	}
	if le.Uint32(b[32:]) != apsbMagic {
		return nil, 0, fmt.Errorf("apfs volume superblock at block %d: no APSB magic: %w", v.paddr, ErrFormat)
	}
	if len(b) < 0x458 {
		return nil, 0, fmt.Errorf("apfs volume superblock at block %d: too short: %w", v.paddr, ErrFormat)
	}
	return b, v.paddr, nil
}

func volumeName(b []byte) string {
	name := b[0x2c0 : 0x2c0+256]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return string(name)
}

// openVolume reads the volume superblock oid, its object map and the root
// of its file system tree.
func (f *FS) openVolume(oid uint64) error {
	b, bno, err := f.readVolumeSuper(oid)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	v := &f.vol
	v.oid = oid
	v.block = bno
	v.xid = le.Uint64(b[16:])
	v.name = volumeName(b)
	v.incompat = le.Uint64(b[0x38:])
	v.fsFlags = le.Uint64(b[0x108:])
	if v.fsFlags&fsUnencrypted == 0 {
		return fmt.Errorf("apfs volume %q (superblock at block %d): %w", v.name, bno, ErrEncrypted)
	}
	v.caseInsensitive = v.incompat&incompatCaseInsensitive != 0
	v.hashed = v.incompat&(incompatCaseInsensitive|incompatNormInsensitive) != 0
	if v.incompat&incompatSealedVolume != 0 {
		return fmt.Errorf("apfs volume %q (superblock at block %d): sealed volumes (headerless, hashed fs tree nodes) are not supported: %w", v.name, bno, ErrFormat)
	}
	rootType := le.Uint32(b[0x74:])
	if rootType&objStorageMask != objVirtual || rootType&objTypeMask != objBtree {
		return fmt.Errorf("apfs volume superblock at block %d: root tree type %#x is not a virtual B-tree: %w", bno, rootType, ErrFormat)
	}
	v.omap, err = f.openOmap(le.Uint64(b[0x80:]), "volume")
	if err != nil {
		return err
	}
	if v.omap.flags&omapFlagsCryptoInProgress != 0 {
		return fmt.Errorf("apfs volume %q object map at block %d: encryption in progress: %w", v.name, le.Uint64(b[0x80:]), ErrEncrypted)
	}
	v.fsTree = &tree{
		f:       f,
		what:    "fs tree",
		rootOID: le.Uint64(b[0x88:]),
		subtype: objFSTree,
		minKey:  8,
		resolve: v.omap.resolver(f, v.xid),
	}
	if _, err := v.fsTree.node(v.fsTree.rootOID, -1, true); err != nil {
		return err
	}
	return nil
}

// VolumeName returns the name of the volume opened.
func (f *FS) VolumeName() string { return f.vol.name }

// CaseSensitive reports whether names in the volume are compared case
// sensitively.
func (f *FS) CaseSensitive() bool { return !f.vol.caseInsensitive }

// VolumeNames returns the names of all volumes of the container, in the
// order of the container superblock; the volume opened is the first.
func (f *FS) VolumeNames() ([]string, error) {
	var names []string
	for _, oid := range f.fsOIDs {
		if oid == 0 {
			continue
		}
		if oid == f.vol.oid {
			names = append(names, f.vol.name)
			continue
		}
		b, _, err := f.readVolumeSuper(oid)
		if err != nil {
			return names, err
		}
		names = append(names, volumeName(b))
	}
	return names, nil
}
