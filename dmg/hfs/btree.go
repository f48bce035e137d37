package hfs

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
)

// B-tree node kinds.
const (
	kindLeaf   = -1
	kindIndex  = 0
	kindHeader = 1
	kindMap    = 2
)

// B-tree header attributes.
const (
	btBigKeys          = 0x2
	btVariableIndexKey = 0x4
)

const nodeDescSize = 14

// btree is one of the volume's B-tree files.
type btree struct {
	f           *FS
	name        string
	fork        *fork
	nodeSize    uint32
	depth       uint16
	root        uint32
	totalNodes  uint32
	maxKeyLen   uint16
	bigKeys     bool
	varIndex    bool
	compareType uint8
	// cmp orders two keys, without their length fields.
	cmp func(a, b []byte) int
}

// node is a parsed B-tree node.
type node struct {
	num    uint32
	off    int64 // in the B-tree file
	fLink  uint32
	kind   int8
	height uint8
	recs   [][]byte
}

// nodeKey identifies a cached node.
type nodeKey struct {
	tree *btree
	num  uint32
}

// cacheEntry is an element of the node cache's LRU list.
type cacheEntry struct {
	key nodeKey
	nd  *node
}

// openBTree reads a B-tree's header node.
func (f *FS) openBTree(name string, fk *fork, cmp func(a, b []byte) int) (*btree, error) {
	t := &btree{f: f, name: name, fork: fk, cmp: cmp}
	// The header record sits at the same place whatever the node size.
	h := make([]byte, nodeDescSize+106)
	if _, err := fk.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("hfs %s header node at %#x: %w", name, 0, err)
	}
	be := binary.BigEndian
	if int8(h[8]) != kindHeader {
		return nil, fmt.Errorf("hfs %s header node at %#x: kind %d, not a header node", name, 0, int8(h[8]))
	}
	hr := h[nodeDescSize:]
	t.depth = be.Uint16(hr)
	t.root = be.Uint32(hr[2:])
	t.nodeSize = uint32(be.Uint16(hr[18:]))
	t.maxKeyLen = be.Uint16(hr[20:])
	t.totalNodes = be.Uint32(hr[22:])
	t.compareType = hr[37]
	attrs := be.Uint32(hr[38:])
	t.bigKeys = attrs&btBigKeys != 0
	t.varIndex = attrs&btVariableIndexKey != 0
	if ns := t.nodeSize; ns < 512 || ns > maxNodeSize || ns&(ns-1) != 0 {
		return nil, fmt.Errorf("hfs %s header node at %#x: node size %d is not a power of two from 512 to %d", name, 0, ns, maxNodeSize)
	}
	if t.depth > maxTreeDepth {
		return nil, fmt.Errorf("hfs %s header node at %#x: depth %d is more than %d", name, 0, t.depth, maxTreeDepth)
	}
	if max := uint64(fk.size) / uint64(t.nodeSize); uint64(t.totalNodes) > max {
		return nil, fmt.Errorf("hfs %s header node at %#x: %d nodes do not fit in the %d-byte file", name, 0, t.totalNodes, fk.size)
	}
	if t.root >= t.totalNodes || (t.root == 0) != (t.depth == 0) {
		return nil, fmt.Errorf("hfs %s header node at %#x: root node %d with depth %d in %d nodes", name, 0, t.root, t.depth, t.totalNodes)
	}
	return t, nil
}

// node returns node n, from the cache when it is there. Every call is
// charged to the volume's budget.
func (t *btree) node(n uint32) (*node, error) {
	f := t.f
	off := int64(n) * int64(t.nodeSize)
	if n == 0 || n >= t.totalNodes {
		return nil, fmt.Errorf("hfs %s node %d: out of range (1 to %d)", t.name, n, t.totalNodes-1)
	}
	key := nodeKey{t, n}
	f.mu.Lock()
	if f.budget <= 0 {
		f.mu.Unlock()
		return nil, errBudget
	}
	f.budget--
	if el, ok := f.cache[key]; ok {
		f.lru.MoveToFront(el)
		nd := el.Value.(*cacheEntry).nd
		f.mu.Unlock()
		return nd, nil
	}
	f.mu.Unlock()
	buf := make([]byte, t.nodeSize)
	if _, err := t.fork.ReadAt(buf, off); err != nil && err != io.EOF {
		return nil, fmt.Errorf("hfs %s node %d at %#x: %w", t.name, n, off, err)
	}
	nd, err := parseNode(buf)
	if err != nil {
		return nil, fmt.Errorf("hfs %s node %d at %#x: %w", t.name, n, off, err)
	}
	nd.num, nd.off = n, off
	f.mu.Lock()
	if _, ok := f.cache[key]; !ok {
		f.cache[key] = f.lru.PushFront(&cacheEntry{key, nd})
		if f.lru.Len() > nodeCacheSize {
			last := f.lru.Back()
			f.lru.Remove(last)
			delete(f.cache, last.Value.(*cacheEntry).key)
		}
	}
	f.mu.Unlock()
	return nd, nil
}

// parseNode splits a node into its descriptor and records.
func parseNode(b []byte) (*node, error) {
	be := binary.BigEndian
	nd := &node{fLink: be.Uint32(b), kind: int8(b[8]), height: b[9]}
	n := int(be.Uint16(b[10:]))
	size := len(b)
	if nodeDescSize+2*(n+1) > size {
		return nil, fmt.Errorf("%d records do not fit in a %d-byte node", n, size)
	}
	end := size - 2*(n+1) // where the offsets start
	prev := nodeDescSize
	nd.recs = make([][]byte, n)
	for i := 0; i <= n; i++ {
		o := int(be.Uint16(b[size-2*(i+1):]))
		if o < prev || o > end || (i == 0 && o != nodeDescSize) {
			return nil, fmt.Errorf("record %d offset %#x out of order or range (%#x to %#x)", i, o, prev, end)
		}
		if i > 0 {
			nd.recs[i-1] = b[prev:o]
		}
		prev = o
	}
	return nd, nil
}

// splitKey returns a record's key (without its length field) and where the
// key field ends.
func (t *btree) splitKey(rec []byte, index bool) (key []byte, end int, err error) {
	var klen, pre int
	if t.bigKeys {
		if len(rec) < 2 {
			return nil, 0, fmt.Errorf("record of %d bytes has no key length", len(rec))
		}
		klen, pre = int(binary.BigEndian.Uint16(rec)), 2
	} else {
		if len(rec) < 1 {
			return nil, 0, fmt.Errorf("empty record")
		}
		klen, pre = int(rec[0]), 1
	}
	if t.maxKeyLen != 0 && klen > int(t.maxKeyLen) {
		return nil, 0, fmt.Errorf("key length %d is more than the maximum %d", klen, t.maxKeyLen)
	}
	end = pre + klen
	if index && !t.varIndex {
		end = pre + int(t.maxKeyLen)
	}
	if end > len(rec) {
		return nil, 0, fmt.Errorf("key of %d bytes overruns its %d-byte record", klen, len(rec))
	}
	end += end & 1 // data starts on an even offset
	return rec[pre : pre+klen], end, nil
}

// leafRecord splits a leaf record into key and data.
func (t *btree) leafRecord(nd *node, i int) (key, data []byte, err error) {
	rec := nd.recs[i]
	key, end, err := t.splitKey(rec, false)
	if err != nil {
		return nil, nil, fmt.Errorf("hfs %s node %d at %#x record %d: %w", t.name, nd.num, nd.off, i, err)
	}
	return key, rec[min(end, len(rec)):], nil
}

// indexRecord splits an index record into key and child node number.
func (t *btree) indexRecord(nd *node, i int) (key []byte, child uint32, err error) {
	rec := nd.recs[i]
	key, end, err := t.splitKey(rec, true)
	if err == nil && end+4 > len(rec) {
		err = fmt.Errorf("index record of %d bytes has no child pointer", len(rec))
	}
	if err != nil {
		return nil, 0, fmt.Errorf("hfs %s node %d at %#x record %d: %w", t.name, nd.num, nd.off, i, err)
	}
	return key, binary.BigEndian.Uint32(rec[end:]), nil
}

// seek descends to the leaf that holds target, or would, and returns it
// with the index of its first record not less than target (which may be
// past the last). An empty tree gives a nil node.
func (t *btree) seek(target []byte) (*node, int, error) {
	if t.root == 0 {
		return nil, 0, nil
	}
	n := t.root
	for level := 0; ; level++ {
		if level >= int(t.depth) {
			return nil, 0, fmt.Errorf("hfs %s node %d: deeper than the tree's depth %d", t.name, n, t.depth)
		}
		nd, err := t.node(n)
		if err != nil {
			return nil, 0, err
		}
		var ferr error
		switch nd.kind {
		case kindLeaf:
			i := sort.Search(len(nd.recs), func(i int) bool {
				k, _, err := t.leafRecord(nd, i)
				if err != nil {
					ferr = err
					return true
				}
				return t.cmp(k, target) >= 0
			})
			return nd, i, ferr
		case kindIndex:
			if len(nd.recs) == 0 {
				return nil, 0, fmt.Errorf("hfs %s node %d at %#x: empty index node", t.name, n, nd.off)
			}
			// The last record whose key is not more than target, or
			// the first.
			i := sort.Search(len(nd.recs), func(i int) bool {
				k, _, err := t.indexRecord(nd, i)
				if err != nil {
					ferr = err
					return true
				}
				return t.cmp(k, target) > 0
			}) - 1
			if ferr != nil {
				return nil, 0, ferr
			}
			_, child, err := t.indexRecord(nd, max(i, 0))
			if err != nil {
				return nil, 0, err
			}
			n = child
		default:
			return nil, 0, fmt.Errorf("hfs %s node %d at %#x: kind %d where an index or leaf node belongs", t.name, n, nd.off, nd.kind)
		}
	}
}

// scan calls fn with each leaf record from the first not less than
// target, following the leaves' forward links, until fn says stop.
func (t *btree) scan(target []byte, fn func(key, data []byte) (stop bool, err error)) error {
	nd, i, err := t.seek(target)
	if err != nil {
		return err
	}
	for hops := uint32(0); nd != nil; hops++ {
		for ; i < len(nd.recs); i++ {
			k, d, err := t.leafRecord(nd, i)
			if err != nil {
				return err
			}
			stop, err := fn(k, d)
			if err != nil {
				return fmt.Errorf("hfs %s node %d at %#x record %d: %w", t.name, nd.num, nd.off, i, err)
			}
			if stop {
				return nil
			}
		}
		if nd.fLink == 0 {
			return nil
		}
		if hops >= t.totalNodes {
			return fmt.Errorf("hfs %s node %d at %#x: leaf chain longer than the tree's %d nodes (a cycle)", t.name, nd.num, nd.off, t.totalNodes)
		}
		next, err := t.node(nd.fLink)
		if err != nil {
			return err
		}
		if next.kind != kindLeaf {
			return fmt.Errorf("hfs %s node %d at %#x: forward link to node %d of kind %d, not a leaf", t.name, nd.num, nd.off, next.num, next.kind)
		}
		nd, i = next, 0
	}
	return nil
}
