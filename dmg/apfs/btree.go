package apfs

import (
	"encoding/binary"
	"fmt"
	"sync"
)

// B-tree node flags (btn_flags).
const (
	btnRoot    = 0x1
	btnLeaf    = 0x2
	btnFixedKV = 0x4
	btnHashed  = 0x8
	btnNoHead  = 0x10

	btnHeaderSize = 56 // obj_phys_t + btn_flags..btn_val_free_list
	btreeInfoSize = 40 // btree_info_t at the end of root nodes
	maxTreeDepth  = 16
	// maxVisitedNodes bounds the nodes one walk may read: enough for
	// directories of millions of entries, small enough to end a walk of a
	// hostile tree whose index nodes share children.
	maxVisitedNodes = 1 << 18
)

// node is a parsed B-tree node.
type node struct {
	block    uint64
	oid      uint64
	flags    uint16
	level    uint16
	nkeys    int
	b        []byte
	toc      int // offset of the table of contents
	keys     int // offset of the key area
	valEnd   int // end of the value area
	fixed    bool
	keySize  int // fixed sizes, for fixed-kv nodes
	valSize  int
	hashSize int // for hashed index nodes: bytes after the child oid
}

func (n *node) leaf() bool { return n.flags&btnLeaf != 0 }

// parseNode decodes the B-tree node in b (a whole block, header included,
// checksum already verified). For fixed-size trees, keySize and valSize
// are the sizes of leaf records; index records have 8-byte values (child
// object ids). what and bno name the node in errors.
func parseNode(b []byte, bno uint64, keySize, valSize int, what string) (*node, error) {
	le := binary.LittleEndian
	bad := func(format string, a ...any) error {
		return fmt.Errorf("apfs %s node at block %d: %s: %w", what, bno, fmt.Sprintf(format, a...), ErrFormat)
	}
	if len(b) < btnHeaderSize+btreeInfoSize {
		return nil, bad("block of %d bytes is too short", len(b))
	}
	n := &node{
		block: bno,
		oid:   le.Uint64(b[8:]),
		flags: le.Uint16(b[32:]),
		level: le.Uint16(b[34:]),
		b:     b,
	}
	nkeys := le.Uint32(b[36:])
	if n.flags&^uint16(0x801f) != 0 {
		return nil, bad("unknown flags %#x", n.flags)
	}
	if n.flags&btnNoHead != 0 {
		return nil, bad("headerless nodes are not supported")
	}
	if n.leaf() != (n.level == 0) {
		return nil, bad("leaf flag %v disagrees with level %d", n.leaf(), n.level)
	}
	if n.level >= maxTreeDepth {
		return nil, bad("level %d exceeds the maximum depth %d", n.level, maxTreeDepth)
	}
	tsOff := int(le.Uint16(b[40:]))
	tsLen := int(le.Uint16(b[42:]))
	n.toc = btnHeaderSize + tsOff
	n.keys = n.toc + tsLen
	n.valEnd = len(b)
	if n.flags&btnRoot != 0 {
		n.valEnd -= btreeInfoSize
	}
	if n.keys > n.valEnd {
		return nil, bad("table of contents (offset %d, length %d) overruns the node", tsOff, tsLen)
	}
	entry := 4
	if n.flags&btnFixedKV != 0 {
		n.fixed = true
		if keySize <= 0 || valSize <= 0 {
			return nil, bad("fixed-size records in a tree of variable-size records")
		}
		n.keySize = keySize
		n.valSize = valSize
		if !n.leaf() {
			n.valSize = 8
		}
	} else {
		entry = 8
	}
	if n.flags&btnHashed != 0 && !n.leaf() {
		n.hashSize = 32
	}
	if uint64(nkeys)*uint64(entry) > uint64(tsLen) {
		return nil, bad("%d records do not fit a table of contents of %d bytes", nkeys, tsLen)
	}
	n.nkeys = int(nkeys)
	return n, nil
}

// record returns the key and value of record i.
func (n *node) record(i int, what string) (k, v []byte, err error) {
	le := binary.LittleEndian
	if i < 0 || i >= n.nkeys {
		return nil, nil, fmt.Errorf("apfs %s node at block %d: record %d of %d: %w", what, n.block, i, n.nkeys, ErrFormat)
	}
	var koff, klen, voff, vlen int
	if n.fixed {
		e := n.b[n.toc+4*i:]
		koff, voff = int(le.Uint16(e)), int(le.Uint16(e[2:]))
		klen, vlen = n.keySize, n.valSize
	} else {
		e := n.b[n.toc+8*i:]
		koff, klen = int(le.Uint16(e)), int(le.Uint16(e[2:]))
		voff, vlen = int(le.Uint16(e[4:])), int(le.Uint16(e[6:]))
	}
	ks := n.keys + koff
	if ks+klen > n.valEnd {
		return nil, nil, fmt.Errorf("apfs %s node at block %d: record %d: key at offset %d length %d outside the node: %w", what, n.block, i, koff, klen, ErrFormat)
	}
	k = n.b[ks : ks+klen]
	if voff == 0xffff {
		// A ghost record: no value.
		if n.leaf() {
			return k, nil, nil
		}
		return nil, nil, fmt.Errorf("apfs %s node at block %d: index record %d has no value: %w", what, n.block, i, ErrFormat)
	}
	vs := n.valEnd - voff
	if voff > n.valEnd-n.keys || vlen > voff || vs < ks+klen && vs+vlen > ks {
		return nil, nil, fmt.Errorf("apfs %s node at block %d: record %d: value at offset %d length %d outside the value area: %w", what, n.block, i, voff, vlen, ErrFormat)
	}
	v = n.b[vs : vs+vlen]
	if !n.leaf() && len(v) < 8+n.hashSize {
		return nil, nil, fmt.Errorf("apfs %s node at block %d: index record %d: value of %d bytes: %w", what, n.block, i, len(v), ErrFormat)
	}
	return k, v, nil
}

// nodeCache keeps the most recently used parsed nodes by block number.
type nodeCache struct {
	mu    sync.Mutex
	max   int
	nodes map[nodeKey]*node
	order []nodeKey // least recently inserted first
}

// nodeKey names a cached node by the tree that read it as well as its
// block: a block read as one tree's node is checked again (type, subtype,
// object id, record sizes) when another tree reads it.
type nodeKey struct {
	tree string
	bno  uint64
}

func newNodeCache(max int) *nodeCache {
	return &nodeCache{max: max, nodes: make(map[nodeKey]*node, max)}
}

func (c *nodeCache) get(k nodeKey) *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[k]
}

func (c *nodeCache) put(k nodeKey, n *node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.nodes[k]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.nodes, c.order[0])
		c.order = c.order[1:]
	}
	c.nodes[k] = n
	c.order = append(c.order, k)
}

// tree is a B-tree: its root and how to reach its children.
type tree struct {
	f        *FS
	what     string // "container omap", "fs tree"...
	rootOID  uint64
	subtype  uint32
	keySize  int // fixed record sizes (omap trees); zero for variable
	valSize  int
	resolve  func(oid uint64) (uint64, error) // virtual oid → block; nil for physical trees
	physical bool
	minKey   int // shortest valid key
}

// node reads the node with object id oid, expected at the given level
// (-1 for the root, whose level is not known in advance).
func (t *tree) node(oid uint64, level int, root bool) (*node, error) {
	bno := oid
	if t.resolve != nil {
		var err error
		if bno, err = t.resolve(oid); err != nil {
			return nil, fmt.Errorf("apfs %s: node oid %#x: %w", t.what, oid, err)
		}
	}
	key := nodeKey{t.what, bno}
	n := t.f.cache.get(key)
	if n == nil {
		typ := uint32(objBtreeNode)
		if root {
			typ = objBtree
		}
		b, err := t.f.readObject(bno, typ, t.subtype, t.what+" node")
		if err != nil {
			return nil, err
		}
		n, err = parseNode(b, bno, t.keySize, t.valSize, t.what)
		if err != nil {
			return nil, err
		}
		if n.oid != oid {
			return nil, fmt.Errorf("apfs %s node at block %d: object id %#x, want %#x: %w", t.what, bno, n.oid, oid, ErrFormat)
		}
		t.f.cache.put(key, n)
	}
	if root != (n.flags&btnRoot != 0) {
		return nil, fmt.Errorf("apfs %s node at block %d: root flag %v where %v expected: %w", t.what, bno, !root, root, ErrFormat)
	}
	if level >= 0 && int(n.level) != level {
		return nil, fmt.Errorf("apfs %s node at block %d: level %d, want %d: %w", t.what, bno, n.level, level, ErrFormat)
	}
	if t.keySize > 0 && !n.fixed {
		return nil, fmt.Errorf("apfs %s node at block %d: variable-size records in a fixed-size tree: %w", t.what, bno, ErrFormat)
	}
	return n, nil
}

// rangeFunc places a key relative to the range a walk visits: negative
// below it, zero inside, positive above.
type rangeFunc func(k []byte) int

// walk calls fn for every leaf record whose key is inside the range cmp
// describes, in key order, until fn returns false or an error. Keys must
// be sorted; a tree whose keys are not is reported as malformed where the
// walk notices it, and may otherwise miss records.
func (t *tree) walk(cmp rangeFunc, fn func(k, v []byte) (bool, error)) error {
	root, err := t.node(t.rootOID, -1, true)
	if err != nil {
		return err
	}
	budget := maxVisitedNodes
	_, err = t.walkNode(root, cmp, fn, &budget)
	return err
}

func (t *tree) walkNode(n *node, cmp rangeFunc, fn func(k, v []byte) (bool, error), budget *int) (bool, error) {
	*budget--
	if *budget < 0 {
		return false, fmt.Errorf("apfs %s: walk visited more than %d nodes: %w", t.what, maxVisitedNodes, ErrFormat)
	}
	if n.leaf() {
		for i := 0; i < n.nkeys; i++ {
			k, v, err := t.record(n, i)
			if err != nil {
				return false, err
			}
			c := cmp(k)
			if c < 0 {
				continue
			}
			if c > 0 {
				return false, nil
			}
			if v == nil {
				continue // ghost
			}
			more, err := fn(k, v)
			if err != nil || !more {
				return false, err
			}
		}
		return true, nil
	}
	for i := 0; i < n.nkeys; i++ {
		k, v, err := t.record(n, i)
		if err != nil {
			return false, err
		}
		if cmp(k) > 0 {
			return false, nil
		}
		if i+1 < n.nkeys {
			next, _, err := t.record(n, i+1)
			if err != nil {
				return false, err
			}
			if cmp(next) < 0 {
				continue // the whole child is below the range
			}
		}
		child, err := t.node(binary.LittleEndian.Uint64(v), int(n.level)-1, false)
		if err != nil {
			return false, fmt.Errorf("apfs %s: child %d of node at block %d: %w", t.what, i, n.block, err)
		}
		more, err := t.walkNode(child, cmp, fn, budget)
		if err != nil || !more {
			return false, err
		}
	}
	return true, nil
}

// record returns record i of node n, checking the key is long enough for
// the tree.
func (t *tree) record(n *node, i int) (k, v []byte, err error) {
	k, v, err = n.record(i, t.what)
	switch {
	case err != nil:
	case len(k) < t.minKey:
		err = fmt.Errorf("apfs %s node at block %d: record %d: key of %d bytes: %w", t.what, n.block, i, len(k), ErrFormat)
	case !n.leaf() && len(v) < 8:
		err = fmt.Errorf("apfs %s node at block %d: record %d: child pointer of %d bytes: %w", t.what, n.block, i, len(v), ErrFormat)
	}
	return k, v, err
}
