package apfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Errors the reader wraps.
var (
	// ErrEncrypted is wrapped by the error Open returns for an encrypted
	// volume.
	ErrEncrypted = errors.New("apfs: encrypted volume not supported")
	// ErrCompressed is wrapped by the error of reading a file stored with
	// transparent (decmpfs) compression.
	ErrCompressed = errors.New("apfs: compressed file not supported")
	// ErrFormat is wrapped by the errors that report malformed structures.
	ErrFormat = errors.New("apfs: malformed container")
)

// Object types and flags (o_type).
const (
	objTypeMask       = 0x0000ffff
	objStorageMask    = 0xc0000000
	objVirtual        = 0x00000000
	objEphemeral      = 0x80000000
	objPhysical       = 0x40000000
	objNXSuperblock   = 0x01
	objBtree          = 0x02
	objBtreeNode      = 0x03
	objOmap           = 0x0b
	objCheckpointMap  = 0x0c
	objFS             = 0x0d
	objFSTree         = 0x0e
	objBlockRefTree   = 0x0f
	objSnapMetaTree   = 0x10
	nxMagic           = 0x4253584e // "NXSB"
	apsbMagic         = 0x42535041 // "APSB"
	nxMaxFileSystems  = 100
	minBlockSize      = 4096
	maxBlockSize      = 65536
	maxCheckpointDesc = 1 << 16
)

// Volume flags and incompatible features.
const (
	fsUnencrypted             = 0x1
	incompatCaseInsensitive   = 0x1
	incompatNormInsensitive   = 0x8
	incompatSealedVolume      = 0x20
	nxIncompatFusion          = 0x100
	xpDescBlocksTreeFlag      = 0x80000000
	omapValEncrypted          = 0x4
	omapValNoHeader           = 0x8
	omapValDeleted            = 0x1
	omapEncrypting            = 0x2
	omapDecrypting            = 0x4
	omapFlagsCryptoInProgress = omapEncrypting | omapDecrypting
)

// Options are the unexported choices of open; the zero value is what Open
// uses.
type options struct {
	// skipChecksums skips the Fletcher-64 verification (for fuzzing the
	// parsers behind it).
	skipChecksums bool
}

// FS is an APFS volume opened read-only. Its methods are safe for
// concurrent use.
type FS struct {
	r       io.ReaderAt
	size    int64
	opts    options
	bs      uint32
	nblocks uint64 // nx_block_count, clamped to what size holds

	nxXID     uint64 // transaction of the checkpoint in use
	nxSBBlock uint64 // block of the superblock in use
	nxOmap    *omap
	fsOIDs    []uint64

	vol volume

	cache *nodeCache
}

// container superblock fields the reader uses.
type nxSuper struct {
	xid         uint64
	blockSize   uint32
	blockCount  uint64
	incompat    uint64
	descBlocks  uint32
	descBase    uint64
	omapOID     uint64
	maxFS       uint32
	fsOIDs      []uint64
	blockNumber uint64
}

// Open reads the APFS container whose block 0 is at offset 0 of r (size
// bytes long) and opens its first volume.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	return open(r, size, options{})
}

func open(r io.ReaderAt, size int64, o options) (*FS, error) {
	if size < minBlockSize {
		return nil, fmt.Errorf("apfs: container of %d bytes is too small: %w", size, ErrFormat)
	}
	f := &FS{r: r, size: size, opts: o, cache: newNodeCache(64)}
	head := make([]byte, minBlockSize)
	if _, err := r.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("apfs: reading container superblock: %w", err)
	}
	if binary.LittleEndian.Uint32(head[32:]) != nxMagic {
		return nil, fmt.Errorf("apfs: block 0: no NXSB magic: %w", ErrFormat)
	}
	bs := binary.LittleEndian.Uint32(head[36:])
	if bs < minBlockSize || bs > maxBlockSize || bs&(bs-1) != 0 {
		return nil, fmt.Errorf("apfs: block 0: invalid block size %d: %w", bs, ErrFormat)
	}
	if int64(bs) > size {
		return nil, fmt.Errorf("apfs: block 0: block size %d larger than the container (%d bytes): %w", bs, size, ErrFormat)
	}
	f.bs = bs
	f.nblocks = uint64(size) / uint64(bs)
	b0, err := f.readRaw(0)
	if err != nil {
		return nil, err
	}
	sb0, err := f.parseNXSuper(b0, 0)
	if err != nil {
		return nil, err
	}
	if sb0.blockCount < f.nblocks {
		f.nblocks = sb0.blockCount
	}
	sb := f.latestCheckpoint(sb0)
	if sb == sb0 && !f.opts.skipChecksums && !verifyChecksum(b0) {
		// Block 0 may be stale or damaged when a checkpoint is valid; on
		// its own it must verify.
		return nil, fmt.Errorf("apfs container superblock at block 0: checksum mismatch (stored %#016x, computed %#016x) and no valid checkpoint: %w", binary.LittleEndian.Uint64(b0), Checksum(b0), ErrFormat)
	}
	if sb.blockSize != bs {
		return nil, fmt.Errorf("apfs: checkpoint superblock at block %d: block size %d differs from block 0's %d: %w", sb.blockNumber, sb.blockSize, bs, ErrFormat)
	}
	if sb.incompat&nxIncompatFusion != 0 {
		return nil, fmt.Errorf("apfs: container superblock at block %d: Fusion containers are not supported: %w", sb.blockNumber, ErrFormat)
	}
	f.nxXID = sb.xid
	f.nxSBBlock = sb.blockNumber
	f.fsOIDs = sb.fsOIDs
	f.nxOmap, err = f.openOmap(sb.omapOID, "container")
	if err != nil {
		return nil, err
	}
	var first uint64
	for _, oid := range sb.fsOIDs {
		if oid != 0 {
			first = oid
			break
		}
	}
	if first == 0 {
		return nil, fmt.Errorf("apfs: container superblock at block %d lists no volume: %w", sb.blockNumber, ErrFormat)
	}
	if err := f.openVolume(first); err != nil {
		return nil, err
	}
	return f, nil
}

// parseNXSuper checks and decodes a container superblock read at block
// bno (its checksum already verified).
func (f *FS) parseNXSuper(b []byte, bno uint64) (*nxSuper, error) {
	le := binary.LittleEndian
	if typ := le.Uint32(b[24:]); typ&objTypeMask != objNXSuperblock {
		return nil, fmt.Errorf("apfs: block %d: object type %#x is not a container superblock: %w", bno, typ, ErrFormat)
	}
	if le.Uint32(b[32:]) != nxMagic {
		return nil, fmt.Errorf("apfs: block %d: no NXSB magic: %w", bno, ErrFormat)
	}
	sb := &nxSuper{
		xid:         le.Uint64(b[16:]),
		blockSize:   le.Uint32(b[36:]),
		blockCount:  le.Uint64(b[40:]),
		incompat:    le.Uint64(b[64:]),
		descBlocks:  le.Uint32(b[104:]),
		descBase:    le.Uint64(b[112:]),
		omapOID:     le.Uint64(b[160:]),
		maxFS:       le.Uint32(b[180:]),
		blockNumber: bno,
	}
	if sb.blockCount == 0 {
		return nil, fmt.Errorf("apfs: container superblock at block %d: zero block count: %w", bno, ErrFormat)
	}
	n := min(sb.maxFS, nxMaxFileSystems)
	for i := uint32(0); i < n; i++ {
		sb.fsOIDs = append(sb.fsOIDs, le.Uint64(b[184+8*i:]))
	}
	return sb, nil
}

// latestCheckpoint returns the valid superblock with the highest
// transaction id in the checkpoint descriptor area that sb0 (block 0)
// describes, or sb0 when the area holds none (or is a B-tree, which is
// not supported).
func (f *FS) latestCheckpoint(sb0 *nxSuper) *nxSuper {
	best := sb0
	if sb0.descBlocks&xpDescBlocksTreeFlag != 0 {
		return best
	}
	n := uint64(min(sb0.descBlocks, maxCheckpointDesc))
	if sb0.descBase >= f.nblocks || n > f.nblocks-sb0.descBase {
		return best
	}
	for i := uint64(0); i < n; i++ {
		bno := sb0.descBase + i
		b, err := f.readRaw(bno)
		if err != nil {
			continue
		}
		if binary.LittleEndian.Uint32(b[24:])&objTypeMask != objNXSuperblock {
			continue
		}
		if !f.opts.skipChecksums && !verifyChecksum(b) {
			continue
		}
		sb, err := f.parseNXSuper(b, bno)
		if err != nil || sb.blockSize != sb0.blockSize {
			continue
		}
		if sb.xid > best.xid || (best == sb0 && sb.xid >= best.xid) {
			best = sb
		}
	}
	return best
}

// readRaw reads block bno without checking its contents.
func (f *FS) readRaw(bno uint64) ([]byte, error) {
	if bno >= f.nblocks {
		return nil, fmt.Errorf("apfs: block %d outside the container (%d blocks): %w", bno, f.nblocks, ErrFormat)
	}
	b := make([]byte, f.bs)
	if _, err := f.r.ReadAt(b, int64(bno)*int64(f.bs)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("apfs: reading block %d: %w", bno, err)
	}
	return b, nil
}

// readObject reads the object at block bno, verifies its checksum and
// that its type is kind (with subtype sub unless sub is 0), and returns
// its bytes. what names the object in errors.
func (f *FS) readObject(bno uint64, kind, sub uint32, what string) ([]byte, error) {
	b, err := f.readRaw(bno)
	if err != nil {
		return nil, fmt.Errorf("apfs %s at block %d: %w", what, bno, err)
	}
	le := binary.LittleEndian
	if !f.opts.skipChecksums && !verifyChecksum(b) {
		return nil, fmt.Errorf("apfs %s at block %d: checksum mismatch (stored %#016x, computed %#016x): %w", what, bno, le.Uint64(b), Checksum(b), ErrFormat)
	}
	typ := le.Uint32(b[24:])
	if typ&objTypeMask != kind {
		return nil, fmt.Errorf("apfs %s at block %d: object type %#x, want %#x: %w", what, bno, typ&objTypeMask, kind, ErrFormat)
	}
	if sub != 0 && le.Uint32(b[28:]) != sub {
		return nil, fmt.Errorf("apfs %s at block %d: object subtype %#x, want %#x: %w", what, bno, le.Uint32(b[28:]), sub, ErrFormat)
	}
	return b, nil
}
