package dmg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sort"
	"sync"

	"howett.net/plist"
)

// SectorSize is the unit UDIF block tables count in.
const SectorSize = 512

// Chunk types of a block table.
const (
	ChunkZero       = 0x00000000
	ChunkRaw        = 0x00000001
	ChunkIgnore     = 0x00000002
	ChunkADC        = 0x80000004
	ChunkZlib       = 0x80000005
	ChunkBzip2      = 0x80000006
	ChunkLZFSE      = 0x80000007
	ChunkLZMA       = 0x80000008
	ChunkComment    = 0x7ffffffe
	ChunkTerminator = 0xffffffff
)

// Limits on what one image may declare.
const (
	maxXML       = 64 << 20
	maxChunks    = 1 << 22
	maxChunkSize = 64 << 20 // decoded bytes of one chunk
)

// ErrCodec marks a chunk of a type this package does not know.
var ErrCodec = errors.New("dmg: unknown chunk type")

// Image is an opened UDIF image.
type Image struct {
	Koly       *Koly
	Partitions []*Partition
	r          io.ReaderAt
}

// Partition is one blkx entry: a range of the disk's sectors and the
// chunks that hold them.
type Partition struct {
	Name        string
	FirstSector uint64
	Sectors     uint64
	Checksum    Checksum
	Chunks      []Chunk
	img         *Image
	dataOffset  uint64

	mu     sync.Mutex
	cache  map[int][]byte // decoded chunks, by index
	order  []int          // cached chunks, oldest first
	cached int            // bytes in cache
	// crcs holds the CRC32 of each chunk decoded so far, where seen says
	// so: whoever decodes a chunk first records it, so that verifying the
	// checksum decodes only the chunks nobody read.
	crcs []uint32
	seen []bool
}

// Chunk is one run of sectors and where its (compressed) bytes are.
type Chunk struct {
	Type    uint32
	Sector  uint64 // relative to the partition
	Sectors uint64
	Offset  uint64 // of the compressed bytes, relative to the data fork
	Length  uint64
}

// Open reads an image's trailer and partition tables.
func Open(r io.ReaderAt, size int64) (*Image, error) {
	k, err := ReadKoly(r, size)
	if err != nil {
		return nil, err
	}
	img := &Image{Koly: k, r: r}
	if k.XMLLength == 0 {
		return nil, fmt.Errorf("dmg: no XML property list (resource fork images are not supported)")
	}
	if k.XMLLength > maxXML {
		return nil, fmt.Errorf("dmg: XML of %d bytes", k.XMLLength)
	}
	raw := make([]byte, k.XMLLength)
	if _, err := r.ReadAt(raw, int64(k.XMLOffset)); err != nil {
		return nil, fmt.Errorf("dmg XML at %#x: %w", k.XMLOffset, err)
	}
	var doc struct {
		Fork struct {
			Blkx []struct {
				Name string `plist:"Name"`
				Data []byte `plist:"Data"`
			} `plist:"blkx"`
		} `plist:"resource-fork"`
	}
	if _, err := plist.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("dmg XML at %#x: %w", k.XMLOffset, err)
	}
	for i, b := range doc.Fork.Blkx {
		p, err := parseMish(b.Data, k.DataLength)
		if err != nil {
			return nil, fmt.Errorf("dmg blkx %d (%s): %w", i, b.Name, err)
		}
		p.Name, p.img = b.Name, img
		img.Partitions = append(img.Partitions, p)
	}
	return img, nil
}

// parseMish reads a block table whose stored bytes lie in a data fork of
// forkLen bytes.
func parseMish(b []byte, forkLen uint64) (*Partition, error) {
	be := binary.BigEndian
	if len(b) < 204 || string(b[:4]) != "mish" {
		return nil, fmt.Errorf("mish at 0x0: no block table")
	}
	p := &Partition{FirstSector: be.Uint64(b[8:]), Sectors: be.Uint64(b[16:]), dataOffset: be.Uint64(b[24:]),
		Checksum: readChecksum(b[64:200]), cache: map[int][]byte{}}
	if p.Sectors > maxDiskSectors {
		return nil, fmt.Errorf("mish at 0x10: %d sectors", p.Sectors)
	}
	n := be.Uint32(b[200:])
	if n > maxChunks || int(n)*40 > len(b)-204 {
		return nil, fmt.Errorf("mish at 0xc8: %d chunks do not fit in %d bytes", n, len(b))
	}
	var next uint64
	for i := 0; i < int(n); i++ {
		c := b[204+40*i:]
		ch := Chunk{Type: be.Uint32(c), Sector: be.Uint64(c[8:]), Sectors: be.Uint64(c[16:]), Offset: be.Uint64(c[24:]), Length: be.Uint64(c[32:])}
		if ch.Type == ChunkComment || ch.Type == ChunkTerminator || ch.Sectors == 0 {
			continue // no data (7-Zip skips empty chunks as well)
		}
		// Zero, ignore and raw chunks are never decoded into memory (raw
		// ones are read in place), so they may be as large as the
		// partition; the others decode to at most maxChunkSize bytes.
		limit := uint64(maxChunkSize / SectorSize)
		if isZeroChunk(ch.Type) || ch.Type == ChunkRaw {
			limit = p.Sectors
		}
		if ch.Sector != next || ch.Sectors > limit || ch.Sector+ch.Sectors > p.Sectors {
			return nil, fmt.Errorf("mish chunk %d at %#x: sectors [%d, +%d) out of order or too large (partition has %d)", i, 204+40*i, ch.Sector, ch.Sectors, p.Sectors)
		}
		if !isZeroChunk(ch.Type) {
			start := p.dataOffset + ch.Offset
			if start < p.dataOffset || start > forkLen || ch.Length > forkLen-start {
				return nil, fmt.Errorf("mish chunk %d at %#x: stored bytes [%#x, +%#x) outside the data fork of %#x bytes", i, 204+40*i, start, ch.Length, forkLen)
			}
			if ch.Type == ChunkRaw && ch.Length < ch.Sectors*SectorSize {
				return nil, fmt.Errorf("mish chunk %d at %#x: raw chunk of %d bytes holds %d sectors", i, 204+40*i, ch.Length, ch.Sectors)
			}
		}
		next = ch.Sector + ch.Sectors
		p.Chunks = append(p.Chunks, ch)
	}
	if next != p.Sectors {
		return nil, fmt.Errorf("mish: chunks cover %d of %d sectors", next, p.Sectors)
	}
	p.crcs, p.seen = make([]uint32, len(p.Chunks)), make([]bool, len(p.Chunks))
	return p, nil
}

// isZeroChunk reports whether a chunk type stands for sectors of zeros.
func isZeroChunk(typ uint32) bool { return typ == ChunkZero || typ == ChunkIgnore }

// Size is the partition's decoded size in bytes.
func (p *Partition) Size() int64 { return int64(p.Sectors) * SectorSize }

// ReadAt reads the partition's decoded bytes.
func (p *Partition) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("dmg: negative offset")
	}
	n := 0
	for n < len(b) {
		pos := off + int64(n)
		if pos >= p.Size() {
			return n, io.EOF
		}
		sector := uint64(pos / SectorSize)
		i := sort.Search(len(p.Chunks), func(i int) bool { return p.Chunks[i].Sector+p.Chunks[i].Sectors > sector })
		c := p.Chunks[i]
		k := int(min(int64(len(b)-n), int64(c.Sector+c.Sectors)*SectorSize-pos))
		switch c.Type {
		case ChunkZero, ChunkIgnore:
			clear(b[n : n+k])
			n += k
			continue
		case ChunkRaw:
			at := p.storedAt(c) + pos - int64(c.Sector)*SectorSize
			m, err := p.img.r.ReadAt(b[n:n+k], at)
			n += m
			if m < k {
				return n, fmt.Errorf("dmg %s chunk %d: read at %#x: %w", p.Name, i, at, errors.Join(err, io.ErrUnexpectedEOF))
			}
			continue
		}
		data, err := p.chunk(i)
		if err != nil {
			return n, err
		}
		n += copy(b[n:], data[pos-int64(p.Chunks[i].Sector)*SectorSize:])
	}
	return n, nil
}

// CompressedSizes returns how many bytes the image's compressed chunks
// store and decode to (zero, ignore and raw chunks are not counted: they
// cost nothing to decode), for limits on decompression.
func (img *Image) CompressedSizes() (stored, decoded int64) {
	for _, p := range img.Partitions {
		for _, c := range p.Chunks {
			if isZeroChunk(c.Type) || c.Type == ChunkRaw {
				continue
			}
			stored += int64(c.Length)                // bounded by the data fork
			decoded += int64(c.Sectors) * SectorSize // bounded by maxChunkSize each
		}
	}
	return stored, decoded
}

// storedAt is the file offset of a chunk's stored bytes.
func (p *Partition) storedAt(c Chunk) int64 {
	return int64(p.img.Koly.DataOffset + p.dataOffset + c.Offset)
}

// VerifyMaster checks the trailer's master checksum: the CRC32 of every
// partition's checksum bytes (as many as its bit count says; 4 for a
// CRC32), big-endian, in order, as 7-Zip checks it. It returns nil when
// the image has no CRC32 master checksum.
func (img *Image) VerifyMaster() error {
	want, ok := img.Koly.Master.CRC32()
	if !ok {
		return nil
	}
	var sums []byte
	for _, p := range img.Partitions {
		var data []byte
		for _, w := range p.Checksum.Data {
			data = binary.BigEndian.AppendUint32(data, w)
		}
		sums = append(sums, data[:min(int(p.Checksum.Bits/8), len(data))]...)
	}
	if got := crc32.ChecksumIEEE(sums); got != want {
		return fmt.Errorf("dmg: master CRC32 %08x, the trailer says %08x", got, want)
	}
	return nil
}

// VerifyDataFork checks the trailer's CRC32 of the compressed data fork; it
// returns nil when they match or there is no CRC32.
func (img *Image) VerifyDataFork() error {
	want, ok := img.Koly.DataChecksum.CRC32()
	if !ok {
		return nil
	}
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, io.NewSectionReader(img.r, int64(img.Koly.DataOffset), int64(img.Koly.DataLength))); err != nil {
		return fmt.Errorf("dmg data fork: %w", err)
	}
	if got := h.Sum32(); got != want {
		return fmt.Errorf("dmg: data fork CRC32 %08x, the trailer says %08x", got, want)
	}
	return nil
}

// CodecName names the codec of a chunk type that holds data ("zlib",
// "bzip2", "LZFSE", "LZMA", "ADC", "raw"), or "" for zero, ignore,
// comment and terminator chunks.
func CodecName(typ uint32) string {
	switch typ {
	case ChunkRaw:
		return "raw"
	case ChunkZlib:
		return "zlib"
	case ChunkBzip2:
		return "bzip2"
	case ChunkLZFSE:
		return "LZFSE"
	case ChunkLZMA:
		return "LZMA"
	case ChunkADC:
		return "ADC"
	}
	return ""
}
