package pkg

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// A Bom ("bill of materials", mkbom/lsbom) is a block store: a 512-byte
// header ("BOMStore", version, block count, index and vars locations), an
// index of blocks (address, length), and named variables pointing at
// blocks. The "Paths" variable is a B+ tree whose leaves list, per path, a
// file record {parent id u32, name} and an info record whose first word is
// the path's own id. All integers are big-endian.

// maxBomPaths bounds the paths read from one Bom.
const maxBomPaths = 1 << 20

// bom is a parsed block store.
type bom struct {
	b      []byte
	blocks [][2]uint32 // address, length
}

// ParseBom returns the paths a Bom lists, as pkgbuild writes payload
// names: "." for the root and "./a/b" below it, in the Bom's order.
func ParseBom(b []byte) ([]string, error) {
	be := binary.BigEndian
	if len(b) < 32 || !bytes.HasPrefix(b, []byte("BOMStore")) {
		return nil, fmt.Errorf("bom at 0x0: no BOMStore header")
	}
	s := &bom{b: b}
	indexOff, indexLen := be.Uint32(b[16:]), be.Uint32(b[20:])
	varsOff, varsLen := be.Uint32(b[24:]), be.Uint32(b[28:])
	index, err := s.slice(indexOff, indexLen, "block index")
	if err != nil {
		return nil, err
	}
	if len(index) < 4 {
		return nil, fmt.Errorf("bom block index at %#x: too short", indexOff)
	}
	n := be.Uint32(index)
	if uint64(n)*8 > uint64(len(index)-4) {
		return nil, fmt.Errorf("bom block index at %#x: %d entries do not fit in %d bytes", indexOff, n, len(index))
	}
	s.blocks = make([][2]uint32, n)
	for i := range s.blocks {
		s.blocks[i] = [2]uint32{be.Uint32(index[4+8*i:]), be.Uint32(index[8+8*i:])}
	}
	paths, err := s.variable(varsOff, varsLen, "Paths")
	if err != nil {
		return nil, err
	}
	return s.paths(paths)
}

// slice returns the bytes [off, off+n) of the store.
func (s *bom) slice(off, n uint32, what string) ([]byte, error) {
	if uint64(off)+uint64(n) > uint64(len(s.b)) {
		return nil, fmt.Errorf("bom %s at %#x: %d bytes past the end", what, off, n)
	}
	return s.b[off : off+n], nil
}

// block returns block id's bytes, at least min long.
func (s *bom) block(id uint32, min int) ([]byte, error) {
	if int64(id) >= int64(len(s.blocks)) {
		return nil, fmt.Errorf("bom block %d: no such block (%d blocks)", id, len(s.blocks))
	}
	b, err := s.slice(s.blocks[id][0], s.blocks[id][1], fmt.Sprintf("block %d", id))
	if err == nil && len(b) < min {
		err = fmt.Errorf("bom block %d at %#x: %d bytes, want at least %d", id, s.blocks[id][0], len(b), min)
	}
	return b, err
}

// variable returns the block id of the named variable.
func (s *bom) variable(off, n uint32, name string) (uint32, error) {
	vars, err := s.slice(off, n, "variables")
	if err != nil {
		return 0, err
	}
	if len(vars) < 4 {
		return 0, fmt.Errorf("bom variables at %#x: too short", off)
	}
	count := binary.BigEndian.Uint32(vars)
	p := 4
	for i := uint32(0); i < count; i++ {
		if p+5 > len(vars) {
			return 0, fmt.Errorf("bom variable %d at %#x: past the end", i, int(off)+p)
		}
		id, l := binary.BigEndian.Uint32(vars[p:]), int(vars[p+4])
		if p+5+l > len(vars) {
			return 0, fmt.Errorf("bom variable %d at %#x: name past the end", i, int(off)+p)
		}
		if string(vars[p+5:p+5+l]) == name {
			return id, nil
		}
		p += 5 + l
	}
	return 0, fmt.Errorf("bom: no %q variable", name)
}

// paths walks the Paths tree: down the first children to the leftmost
// leaf, then along the leaves' forward links.
func (s *bom) paths(treeID uint32) ([]string, error) {
	be := binary.BigEndian
	tree, err := s.block(treeID, 12)
	if err != nil {
		return nil, err
	}
	if string(tree[:4]) != "tree" {
		return nil, fmt.Errorf("bom Paths block %d: no tree header", treeID)
	}
	node := be.Uint32(tree[8:])
	type entry struct {
		parent uint32
		name   string
	}
	byID := map[uint32]entry{}
	var order []uint32
	seen := map[uint32]bool{}
	for depth := 0; ; depth++ {
		if depth > 64 || seen[node] {
			return nil, fmt.Errorf("bom Paths: tree loops or is deeper than 64 at block %d", node)
		}
		seen[node] = true
		b, err := s.block(node, 12)
		if err != nil {
			return nil, err
		}
		if be.Uint16(b) != 0 { // a leaf
			break
		}
		if be.Uint16(b[2:]) == 0 || len(b) < 20 {
			return nil, fmt.Errorf("bom Paths block %d: empty branch", node)
		}
		node = be.Uint32(b[12:])
	}
	for node != 0 {
		b, err := s.block(node, 12)
		if err != nil {
			return nil, err
		}
		count, forward := int(be.Uint16(b[2:])), be.Uint32(b[4:])
		if 12+8*count > len(b) {
			return nil, fmt.Errorf("bom Paths block %d: %d entries do not fit", node, count)
		}
		for i := 0; i < count; i++ {
			info, err := s.block(be.Uint32(b[12+8*i:]), 4)
			if err != nil {
				return nil, err
			}
			file, err := s.block(be.Uint32(b[16+8*i:]), 5)
			if err != nil {
				return nil, err
			}
			name, _, _ := bytes.Cut(file[4:], []byte{0})
			id := be.Uint32(info)
			if _, dup := byID[id]; !dup {
				order = append(order, id)
			}
			byID[id] = entry{be.Uint32(file), string(name)}
			if len(order) > maxBomPaths {
				return nil, fmt.Errorf("bom Paths: more than %d paths", maxBomPaths)
			}
		}
		if seen[forward] && forward != 0 {
			return nil, fmt.Errorf("bom Paths: leaf %d links back to block %d", node, forward)
		}
		seen[forward] = true
		node = forward
	}
	full := make(map[uint32]string, len(byID))
	var resolve func(id uint32, depth int) string
	resolve = func(id uint32, depth int) string {
		if p, ok := full[id]; ok {
			return p
		}
		e, ok := byID[id]
		if !ok || depth > 256 {
			return ""
		}
		p := e.name
		if e.parent != 0 && e.parent != id {
			if parent := resolve(e.parent, depth+1); parent != "" {
				p = parent + "/" + e.name
			}
		}
		full[id] = p
		return p
	}
	out := make([]string, 0, len(order))
	for _, id := range order {
		out = append(out, resolve(id, 0))
	}
	return out, nil
}
