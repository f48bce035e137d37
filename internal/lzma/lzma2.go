package lzma

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// LZMA2 control bytes (the first byte of every chunk).
const (
	controlEnd                 = 0x00 // end of the LZMA2 data
	controlUncompressedReset   = 0x01 // stored chunk, dictionary reset
	controlUncompressed        = 0x02 // stored chunk
	controlLZMA                = 0x80 // LZMA chunk, bits 5-6 the reset level
	controlLZMAStateReset      = 0xA0 // ... with a state reset
	controlLZMAProperties      = 0xC0 // ... with a state reset and new properties
	controlLZMADictionaryReset = 0xE0 // ... and a dictionary reset
)

var (
	errTruncated      = errors.New("unexpected end of input")
	errControl        = errors.New("invalid control byte")
	errNeedDictReset  = errors.New("first chunk does not reset the dictionary")
	errNeedProperties = errors.New("LZMA chunk without properties after a dictionary reset")
)

// lzma2Decoder decodes the LZMA2 data of one block into an output.
type lzma2Decoder struct {
	lzma *lzmaDecoder
	out  *output

	dictStart      int  // offset in out.buf of the last dictionary reset
	needDictReset  bool // no chunk has reset the dictionary yet
	needProperties bool // the next LZMA chunk must set properties
}

// decodeLZMA2 decodes the LZMA2 chunks that start at src[off] up to and
// including the end marker into out, and returns the offset after them.
func decodeLZMA2(lz *lzmaDecoder, out *output, src []byte, off int, dictSize uint64) (int, error) {
	lz.dictSize = dictSize
	z := lzma2Decoder{lzma: lz, out: out, dictStart: len(out.buf), needDictReset: true, needProperties: true}
	for {
		n, err := z.chunk(src, off)
		if err != nil {
			return off, fmt.Errorf("lzma2 chunk at %#x: %w", off, err)
		}
		if n == 0 {
			return off + 1, nil
		}
		off += n
	}
}

// chunk decodes the chunk at src[off] and returns its size, 0 for the end
// marker.
func (z *lzma2Decoder) chunk(src []byte, off int) (int, error) {
	if off >= len(src) {
		return 0, errTruncated
	}
	control := src[off]
	if control == controlEnd {
		return 0, nil
	}
	if control < controlLZMA && control > controlUncompressed {
		return 0, fmt.Errorf("%w %#x", errControl, control)
	}
	if control >= controlLZMADictionaryReset || control == controlUncompressedReset {
		z.needDictReset, z.needProperties = false, true
		z.dictStart = len(z.out.buf)
	} else if z.needDictReset {
		return 0, errNeedDictReset
	}
	if control < controlLZMA {
		return z.stored(src, off)
	}

	// LZMA chunk: 21-bit unpacked size minus one (5 bits in the control
	// byte), 16-bit packed size minus one, and a properties byte when
	// the reset level asks for new properties.
	headerSize := 5
	if control >= controlLZMAProperties {
		headerSize = 6
	}
	if len(src)-off < headerSize {
		return 0, errTruncated
	}
	unpacked := int(control&0x1F)<<16 + int(binary.BigEndian.Uint16(src[off+1:])) + 1
	packed := int(binary.BigEndian.Uint16(src[off+3:])) + 1
	switch {
	case control >= controlLZMAProperties:
		if err := z.lzma.setProperties(src[off+5]); err != nil {
			return 0, err
		}
		z.needProperties = false
		z.lzma.resetState()
	case z.needProperties:
		return 0, errNeedProperties
	case control >= controlLZMAStateReset:
		z.lzma.resetState()
	}
	if len(src)-off-headerSize < packed {
		return 0, errTruncated
	}
	if err := z.out.reserve(uint64(unpacked)); err != nil {
		return 0, err
	}
	start := len(z.out.buf)
	win := z.out.buf[z.dictStart : start+unpacked]
	in := src[off+headerSize : off+headerSize+packed]
	if err := z.lzma.decodeChunk(win, start-z.dictStart, in); err != nil {
		return 0, err
	}
	z.out.buf = z.out.buf[:start+unpacked]
	return headerSize + packed, nil
}

// stored copies the stored chunk at src[off]: a 16-bit size minus one,
// then the bytes.
func (z *lzma2Decoder) stored(src []byte, off int) (int, error) {
	const headerSize = 3
	if len(src)-off < headerSize {
		return 0, errTruncated
	}
	size := int(binary.BigEndian.Uint16(src[off+1:])) + 1
	if len(src)-off-headerSize < size {
		return 0, errTruncated
	}
	if err := z.out.reserve(uint64(size)); err != nil {
		return 0, err
	}
	z.out.buf = append(z.out.buf, src[off+headerSize:off+headerSize+size]...)
	return headerSize + size, nil
}
