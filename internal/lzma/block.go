package lzma

import (
	"fmt"
	"math"
)

const (
	filterLZMA2       = 0x21
	maxDictSizeProp   = 40 // 4 GiB - 1
	minDictSize       = 4096
	blockFlagFilters  = 0x03 // number of filters minus one
	blockFlagReserved = 0x3C
	blockFlagPacked   = 0x40 // compressed size present
	blockFlagUnpacked = 0x80 // uncompressed size present
)

// blockHeader is what a block header says of its block.
type blockHeader struct {
	size             int    // of the header itself
	compressedSize   uint64 // of the LZMA2 data, 0 when not given
	uncompressedSize uint64 // valid when hasUncompressed
	hasUncompressed  bool
	dictSize         uint64 // LZMA2 dictionary size, at least minDictSize
}

// parseBlockHeader reads and checks the block header at src[off:]. A
// filter chain other than LZMA2 alone is ErrUnsupported.
func parseBlockHeader(src []byte, off int) (blockHeader, error) {
	h := blockHeader{size: (int(src[off]) + 1) * 4}
	if len(src)-off < h.size {
		return h, errTruncated
	}
	fields := src[off : off+h.size-crc32Size]
	if !crc32Matches(fields, src[off+h.size-crc32Size:]) {
		return h, fmt.Errorf("%w: block header CRC32 mismatch", errCorrupt)
	}
	flags := fields[1]
	if flags&blockFlagReserved != 0 {
		return h, fmt.Errorf("%w: block flags %#x", ErrUnsupported, flags)
	}
	p := 2
	var err error
	if flags&blockFlagPacked != 0 {
		if h.compressedSize, p, err = readVarint(fields, p); err != nil {
			return h, err
		}
		if h.compressedSize == 0 {
			return h, fmt.Errorf("%w: compressed size 0", errCorrupt)
		}
	}
	if flags&blockFlagUnpacked != 0 {
		if h.uncompressedSize, p, err = readVarint(fields, p); err != nil {
			return h, err
		}
		h.hasUncompressed = true
	}
	filters := int(flags&blockFlagFilters) + 1
	id, p, err := readVarint(fields, p)
	if err != nil {
		return h, err
	}
	if filters != 1 || id != filterLZMA2 {
		return h, fmt.Errorf("%w: filter %#x, %d filters", ErrUnsupported, id, filters)
	}
	propsSize, p, err := readVarint(fields, p)
	if err != nil {
		return h, err
	}
	if propsSize != 1 {
		return h, fmt.Errorf("%w: LZMA2 properties of %d bytes", errCorrupt, propsSize)
	}
	if p >= len(fields) {
		return h, errTruncated
	}
	prop := fields[p]
	if prop > maxDictSizeProp {
		return h, fmt.Errorf("%w: LZMA2 dictionary size property %#x", errCorrupt, prop)
	}
	if prop == maxDictSizeProp {
		h.dictSize = math.MaxUint32
	} else {
		h.dictSize = (2 | uint64(prop&1)) << (prop/2 + 11)
	}
	// As liblzma: a distance may reach the allocated dictionary, the size
	// rounded up to 16 and at least 4 KiB.
	h.dictSize = max((h.dictSize+15)&^15, minDictSize)
	for _, b := range fields[p+1:] {
		if b != 0 {
			return h, fmt.Errorf("%w: non-zero block header padding", ErrUnsupported)
		}
	}
	return h, nil
}

// block decodes the block at src[start:] whose stream has the given check
// and returns its index record and size with padding and check.
func (d *streamDecoder) block(start int, check byte, checkLen int) (blockRecord, int, error) {
	h, err := parseBlockHeader(d.src, start)
	if err != nil {
		return blockRecord{}, 0, err
	}
	if h.hasUncompressed {
		if err := d.out.reserve(h.uncompressedSize); err != nil {
			return blockRecord{}, 0, err
		}
	}
	outStart := len(d.out.buf)
	dataStart := start + h.size
	dataEnd, err := decodeLZMA2(d.lzma, &d.out, d.src, dataStart, h.dictSize)
	if err != nil {
		return blockRecord{}, 0, err
	}
	compressed := uint64(dataEnd - dataStart)
	uncompressed := uint64(len(d.out.buf) - outStart)
	if h.compressedSize != 0 && h.compressedSize != compressed {
		return blockRecord{}, 0, fmt.Errorf("%w: %d bytes compressed, header says %d", errCorrupt, compressed, h.compressedSize)
	}
	if h.hasUncompressed && h.uncompressedSize != uncompressed {
		return blockRecord{}, 0, fmt.Errorf("%w: %d bytes uncompressed, header says %d", errCorrupt, uncompressed, h.uncompressedSize)
	}
	off, err := skipPadding(d.src, start, dataEnd)
	if err != nil {
		return blockRecord{}, 0, err
	}
	if len(d.src)-off < checkLen {
		return blockRecord{}, 0, errTruncated
	}
	if err := verifyCheck(check, d.out.buf[outStart:], d.src[off:off+checkLen]); err != nil {
		return blockRecord{}, 0, err
	}
	rec := blockRecord{unpaddedSize: uint64(h.size) + compressed + uint64(checkLen), uncompressedSize: uncompressed}
	return rec, off + checkLen - start, nil
}
