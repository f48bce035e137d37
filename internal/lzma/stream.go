package lzma

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes and magic bytes of the xz container.
const (
	streamHeaderSize = 12 // magic, flags, CRC32 of the flags
	streamFooterSize = 12 // CRC32, backward size, flags, magic
	streamFlagsSize  = 2
	crc32Size        = 4
	alignment        = 4 // blocks, the index and stream padding are multiples
)

var (
	headerMagic = []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}
	footerMagic = []byte{'Y', 'Z'}
)

var (
	errCorrupt = errors.New("corrupt xz data")
	errNotXZ   = errors.New("not an xz stream")
)

// blockRecord is what the index says of a block.
type blockRecord struct {
	unpaddedSize     uint64 // header, compressed data and check, without padding
	uncompressedSize uint64
}

// streamDecoder decodes the concatenated xz streams of src into out.
type streamDecoder struct {
	src  []byte
	out  output
	lzma *lzmaDecoder // reused by every block
}

// decodeAll decodes the streams of src with the stream padding between and
// after them.
func (d *streamDecoder) decodeAll() error {
	if len(d.src) == 0 {
		return fmt.Errorf("xz stream at 0x0: %w", errTruncated)
	}
	off := 0
	for {
		n, err := d.stream(off)
		if err != nil {
			return fmt.Errorf("xz stream at %#x: %w", off, err)
		}
		off += n
		end := off
		for end < len(d.src) && d.src[end] == 0 {
			end++
		}
		if (end-off)%alignment != 0 {
			return fmt.Errorf("stream padding at %#x: %w: %d bytes, not a multiple of %d", off, errCorrupt, end-off, alignment)
		}
		if end == len(d.src) {
			return nil
		}
		off = end
	}
}

// stream decodes the stream at src[start:] and returns its size.
func (d *streamDecoder) stream(start int) (int, error) {
	src := d.src
	if len(src)-start < streamHeaderSize {
		return 0, errTruncated
	}
	header := src[start : start+streamHeaderSize]
	if !bytes.Equal(header[:len(headerMagic)], headerMagic) {
		return 0, errNotXZ
	}
	flags := header[len(headerMagic) : len(headerMagic)+streamFlagsSize]
	if !crc32Matches(flags, header[len(headerMagic)+streamFlagsSize:]) {
		return 0, fmt.Errorf("%w: stream header CRC32 mismatch", errCorrupt)
	}
	if flags[0] != 0 || flags[1]&0xF0 != 0 {
		return 0, fmt.Errorf("%w: stream flags %#x", ErrUnsupported, flags)
	}
	check := flags[1]
	checkLen, ok := checkSize(check)
	if !ok {
		return 0, fmt.Errorf("%w: integrity check type %#x", ErrUnsupported, check)
	}

	off := start + streamHeaderSize
	var records []blockRecord
	for {
		if off >= len(src) {
			return 0, errTruncated
		}
		if src[off] == 0 { // index indicator
			break
		}
		rec, n, err := d.block(off, check, checkLen)
		if err != nil {
			return 0, fmt.Errorf("xz block at %#x: %w", off, err)
		}
		records = append(records, rec)
		off += n
	}

	indexSize, err := verifyIndex(src, off, records)
	if err != nil {
		return 0, fmt.Errorf("xz index at %#x: %w", off, err)
	}
	off += indexSize
	if err := verifyFooter(src, off, flags, indexSize); err != nil {
		return 0, fmt.Errorf("xz stream footer at %#x: %w", off, err)
	}
	return off + streamFooterSize - start, nil
}

// verifyIndex checks the index at src[start:] against the blocks decoded
// and returns its size.
func verifyIndex(src []byte, start int, records []blockRecord) (int, error) {
	count, off, err := readVarint(src, start+1)
	if err != nil {
		return 0, err
	}
	if count != uint64(len(records)) {
		return 0, fmt.Errorf("%w: index lists %d blocks, the stream has %d", errCorrupt, count, len(records))
	}
	for i, rec := range records {
		var got blockRecord
		if got.unpaddedSize, off, err = readVarint(src, off); err != nil {
			return 0, err
		}
		if got.uncompressedSize, off, err = readVarint(src, off); err != nil {
			return 0, err
		}
		if got != rec {
			return 0, fmt.Errorf("%w: index record %d is %d/%d bytes, block %d/%d", errCorrupt,
				i, got.unpaddedSize, got.uncompressedSize, rec.unpaddedSize, rec.uncompressedSize)
		}
	}
	if off, err = skipPadding(src, start, off); err != nil {
		return 0, err
	}
	if len(src)-off < crc32Size {
		return 0, errTruncated
	}
	if !crc32Matches(src[start:off], src[off:]) {
		return 0, fmt.Errorf("%w: index CRC32 mismatch", errCorrupt)
	}
	return off + crc32Size - start, nil
}

// verifyFooter checks the stream footer at src[off:]: its CRC32, that its
// backward size is the index's and that its flags are the header's.
func verifyFooter(src []byte, off int, flags []byte, indexSize int) error {
	if len(src)-off < streamFooterSize {
		return errTruncated
	}
	footer := src[off : off+streamFooterSize]
	if !crc32Matches(footer[crc32Size:crc32Size+4+streamFlagsSize], footer) {
		return fmt.Errorf("%w: footer CRC32 mismatch", errCorrupt)
	}
	if backward := (uint64(binary.LittleEndian.Uint32(footer[crc32Size:])) + 1) * 4; backward != uint64(indexSize) {
		return fmt.Errorf("%w: backward size %d, index is %d bytes", errCorrupt, backward, indexSize)
	}
	if !bytes.Equal(footer[crc32Size+4:crc32Size+4+streamFlagsSize], flags) {
		return fmt.Errorf("%w: footer flags differ from the header's", errCorrupt)
	}
	if !bytes.Equal(footer[crc32Size+4+streamFlagsSize:], footerMagic) {
		return fmt.Errorf("%w: bad footer magic", errCorrupt)
	}
	return nil
}

// skipPadding checks the zero bytes from src[off] that align off-start to
// a multiple of 4 and returns the offset after them.
func skipPadding(src []byte, start, off int) (int, error) {
	for (off-start)%alignment != 0 {
		if off >= len(src) {
			return off, errTruncated
		}
		if src[off] != 0 {
			return off, fmt.Errorf("%w: non-zero padding byte at %#x", errCorrupt, off)
		}
		off++
	}
	return off, nil
}
