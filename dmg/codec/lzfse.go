package codec

import "encoding/binary"

// Block magics of an LZFSE stream.
const (
	lzfseEndMagic  = 0x24787662 // bvx$
	lzfseRawMagic  = 0x2d787662 // bvx-
	lzfseV1Magic   = 0x31787662 // bvx1
	lzfseV2Magic   = 0x32787662 // bvx2
	lzfseLZVNMagic = 0x6e787662 // bvxn
)

// Limits and table sizes of LZFSE compressed blocks (lzfse_internal.h).
const (
	lzfseMaxMatches  = 10000
	lzfseMaxLiterals = 4 * lzfseMaxMatches
	lzfseLSymbols    = 20
	lzfseMSymbols    = 20
	lzfseDSymbols    = 64
	lzfseLitSymbols  = 256
	lzfseLStates     = 64
	lzfseMStates     = 64
	lzfseDStates     = 256
	lzfseLitStates   = 1024
	lzfseFreqs       = lzfseLSymbols + lzfseMSymbols + lzfseDSymbols + lzfseLitSymbols
	lzfseV1Size      = 772 // sizeof(lzfse_compressed_block_header_v1), padding included
	lzfseV2FixedSize = 32  // the v2 header before its packed frequencies
)

// Extra bits and base values of the L, M and D symbols.
var (
	lzfseLBits = [lzfseLSymbols]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 5, 8}
	lzfseLBase = [lzfseLSymbols]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 28, 60}
	lzfseMBits = [lzfseMSymbols]uint8{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 8, 11}
	lzfseMBase = [lzfseMSymbols]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 56, 312}
	lzfseDBits = [lzfseDSymbols]uint8{
		0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
		4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7,
		8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 11,
		12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 15}
	lzfseDBase = [lzfseDSymbols]int32{
		0, 1, 2, 3, 4, 6, 8, 10, 12, 16,
		20, 24, 28, 36, 44, 52, 60, 76, 92, 108,
		124, 156, 188, 220, 252, 316, 380, 444, 508, 636,
		764, 892, 1020, 1276, 1532, 1788, 2044, 2556, 3068, 3580,
		4092, 5116, 6140, 7164, 8188, 10236, 12284, 14332, 16380, 20476,
		24572, 28668, 32764, 40956, 49148, 57340, 65532, 81916, 98300, 114684,
		131068, 163836, 196604, 229372}
)

// lzfseHeader is a compressed block's header, in v1 form.
type lzfseHeader struct {
	nRaw, nLiterals, nMatches, nLitPayload, nLMDPayload int
	literalBits, lmdBits                                int
	litState                                            [4]uint16
	lState, mState, dState                              uint16
	freq                                                [lzfseFreqs]uint16 // L, M, D, literal
}

// lzfseDecoder holds one compressed block's tables and literals.
type lzfseDecoder struct {
	lit      [lzfseLitStates]fseEntry
	l        [lzfseLStates]fseValueEntry
	m        [lzfseMStates]fseValueEntry
	d        [lzfseDStates]fseValueEntry
	literals [lzfseMaxLiterals + 64]byte // slack for 16-byte copies
}

// LZFSE decodes an LZFSE stream (UDIF chunk type 0x80000007) from src into
// dst and returns the number of bytes written. The stream is a sequence of
// blocks — raw ('bvx-'), LZVN ('bvxn'), LZFSE with plain ('bvx1') or packed
// ('bvx2') tables — ended by 'bvx$'; bytes after the end block are
// ignored. Output that would not fit dst is an error, as is any
// inconsistency the reference decoder rejects and, beyond it, a compressed
// block whose output differs from its declared size or that uses more
// literals than it decoded. A valid stream shorter than dst is not an
// error: compare the count with the size you expect. On error, the bytes
// of dst are unspecified.
//
// The decoder follows Apple's reference implementation, lzfse_decode_base.c
// (github.com/lzfse/lzfse at e634ca58), written anew in Go.
func LZFSE(dst, src []byte) (int, error) {
	var dec *lzfseDecoder
	d, s := 0, 0
	for {
		if len(src)-s < 4 {
			return d, errorf("lzfse", s, ErrTruncated, "no end-of-stream block")
		}
		switch magic := binary.LittleEndian.Uint32(src[s:]); magic {
		case lzfseEndMagic:
			return d, nil
		case lzfseRawMagic:
			if len(src)-s < 8 {
				return d, errorf("lzfse", s, ErrTruncated, "raw block header")
			}
			n := int(binary.LittleEndian.Uint32(src[s+4:]))
			if n > len(src)-s-8 {
				return d, errorf("lzfse", s, ErrTruncated, "raw block of %d bytes, %d left", n, len(src)-s-8)
			}
			if n > len(dst)-d {
				return d, errorf("lzfse", s, ErrOverflow, "raw block of %d bytes at output %d, destination holds %d", n, d, len(dst))
			}
			copy(dst[d:], src[s+8:s+8+n])
			d += n
			s += 8 + n
		case lzfseLZVNMagic:
			if len(src)-s < 12 {
				return d, errorf("lzfse", s, ErrTruncated, "LZVN block header")
			}
			nRaw := int(binary.LittleEndian.Uint32(src[s+4:]))
			nPayload := int(binary.LittleEndian.Uint32(src[s+8:]))
			if nPayload > len(src)-s-12 {
				return d, errorf("lzfse", s, ErrTruncated, "LZVN block of %d payload bytes, %d left", nPayload, len(src)-s-12)
			}
			if nRaw > len(dst)-d {
				return d, errorf("lzfse", s, ErrOverflow, "LZVN block of %d bytes at output %d, destination holds %d", nRaw, d, len(dst))
			}
			var err error
			if d, err = lzvn(dst, d, d+nRaw, src[s+12:s+12+nPayload], s+12); err != nil {
				return d, err
			}
			s += 12 + nPayload
		case lzfseV1Magic, lzfseV2Magic:
			var h lzfseHeader
			var size int
			var err error
			if magic == lzfseV1Magic {
				size, err = readV1Header(&h, src, s)
			} else {
				size, err = readV2Header(&h, src, s)
			}
			if err != nil {
				return d, err
			}
			if dec == nil {
				dec = new(lzfseDecoder)
			}
			if d, err = dec.block(&h, dst, d, src, s, size); err != nil {
				return d, err
			}
			s += size + h.nLitPayload + h.nLMDPayload
		default:
			return d, errorf("lzfse", s, ErrCorrupt, "unknown block magic %#08x", magic)
		}
	}
}

// readV1Header reads a 'bvx1' header at src[s:] and returns its size.
func readV1Header(h *lzfseHeader, src []byte, s int) (int, error) {
	if len(src)-s < lzfseV1Size {
		return 0, errorf("lzfse", s, ErrTruncated, "v1 block header")
	}
	b := src[s:]
	le := binary.LittleEndian
	u32 := func(off int) int { return int(le.Uint32(b[off:])) }
	h.nRaw = u32(4)
	h.nLiterals = u32(12)
	h.nMatches = u32(16)
	h.nLitPayload = u32(20)
	h.nLMDPayload = u32(24)
	h.literalBits = int(int32(le.Uint32(b[28:])))
	for i := range h.litState {
		h.litState[i] = le.Uint16(b[32+2*i:])
	}
	h.lmdBits = int(int32(le.Uint32(b[40:])))
	h.lState, h.mState, h.dState = le.Uint16(b[44:]), le.Uint16(b[46:]), le.Uint16(b[48:])
	for i := range h.freq {
		h.freq[i] = le.Uint16(b[50+2*i:])
	}
	return lzfseV1Size, nil
}

// readV2Header reads a 'bvx2' header at src[s:], unpacking its fields and
// frequency tables, and returns its size.
func readV2Header(h *lzfseHeader, src []byte, s int) (int, error) {
	if len(src)-s < lzfseV2FixedSize {
		return 0, errorf("lzfse", s, ErrTruncated, "v2 block header")
	}
	b := src[s:]
	le := binary.LittleEndian
	v0, v1, v2 := le.Uint64(b[8:]), le.Uint64(b[16:]), le.Uint64(b[24:])
	field := func(v uint64, off, n uint) int { return int(v >> off & (1<<n - 1)) }
	h.nRaw = int(le.Uint32(b[4:]))
	h.nLiterals = field(v0, 0, 20)
	h.nLitPayload = field(v0, 20, 20)
	h.nMatches = field(v0, 40, 20)
	h.literalBits = field(v0, 60, 3) - 7
	for i := range h.litState {
		h.litState[i] = uint16(field(v1, uint(10*i), 10))
	}
	h.nLMDPayload = field(v1, 40, 20)
	h.lmdBits = field(v1, 60, 3) - 7
	size := field(v2, 0, 32)
	h.lState = uint16(field(v2, 32, 10))
	h.mState = uint16(field(v2, 42, 10))
	h.dState = uint16(field(v2, 52, 10))
	if size < lzfseV2FixedSize {
		return 0, errorf("lzfse", s+24, ErrCorrupt, "v2 header size %d", size)
	}
	if size > len(b) {
		return 0, errorf("lzfse", s, ErrTruncated, "v2 header of %d bytes, %d left", size, len(b))
	}
	if size == lzfseV2FixedSize {
		h.freq = [lzfseFreqs]uint16{} // tables omitted
		return size, nil
	}
	// Frequencies: a prefix code read LSB first (lzfse_decode_v1_freq_value).
	p := lzfseV2FixedSize
	var accum uint32
	nbits := 0
	for i := range h.freq {
		for p < size && nbits+8 <= 32 {
			accum |= uint32(b[p]) << uint(nbits)
			nbits += 8
			p++
		}
		v, n := freqValue(accum)
		if n > nbits {
			return 0, errorf("lzfse", s+p, ErrCorrupt, "v2 frequency table ends inside value %d", i)
		}
		h.freq[i] = v
		accum >>= uint(n)
		nbits -= n
	}
	if nbits >= 8 || p != size {
		return 0, errorf("lzfse", s+p, ErrCorrupt, "v2 frequency tables end %d bytes before the header's %d", size-p+nbits/8, size)
	}
	return size, nil
}

// freqValue decodes one frequency from the low bits of bits and returns it
// with the number of bits it used.
func freqValue(bits uint32) (uint16, int) {
	const nbitsTable = "\x02\x03\x02\x05\x02\x03\x02\x08\x02\x03\x02\x05\x02\x03\x02\x0e\x02\x03\x02\x05\x02\x03\x02\x08\x02\x03\x02\x05\x02\x03\x02\x0e"
	const valueTable = "\x00\x02\x01\x04\x00\x03\x01\xff\x00\x02\x01\x05\x00\x03\x01\xff\x00\x02\x01\x06\x00\x03\x01\xff\x00\x02\x01\x07\x00\x03\x01\xff"
	b := bits & 31
	switch n := int(nbitsTable[b]); n {
	case 8:
		return uint16(8 + bits>>4&0xf), 8
	case 14:
		return uint16(24 + bits>>4&0x3ff), 14
	default:
		return uint16(valueTable[b]), n
	}
}

// block decodes one compressed block whose size-byte header, already read
// into h, starts at src[s:]; it returns the new output position.
func (dec *lzfseDecoder) block(h *lzfseHeader, dst []byte, d int, src []byte, s, hsize int) (int, error) {
	switch {
	case h.nLiterals > lzfseMaxLiterals:
		return d, errorf("lzfse", s, ErrCorrupt, "%d literals in a block", h.nLiterals)
	case h.nMatches > lzfseMaxMatches:
		return d, errorf("lzfse", s, ErrCorrupt, "%d matches in a block", h.nMatches)
	case h.litState[0] >= lzfseLitStates || h.litState[1] >= lzfseLitStates || h.litState[2] >= lzfseLitStates || h.litState[3] >= lzfseLitStates:
		return d, errorf("lzfse", s, ErrCorrupt, "literal states %v", h.litState)
	case h.lState >= lzfseLStates || h.mState >= lzfseMStates || h.dState >= lzfseDStates:
		return d, errorf("lzfse", s, ErrCorrupt, "L, M, D states %d, %d, %d", h.lState, h.mState, h.dState)
	}
	lf, mf := h.freq[:lzfseLSymbols], h.freq[lzfseLSymbols:lzfseLSymbols+lzfseMSymbols]
	df := h.freq[lzfseLSymbols+lzfseMSymbols : lzfseLSymbols+lzfseMSymbols+lzfseDSymbols]
	litf := h.freq[lzfseLSymbols+lzfseMSymbols+lzfseDSymbols:]
	if !fseFreqOK(lf, lzfseLStates) || !fseFreqOK(mf, lzfseMStates) || !fseFreqOK(df, lzfseDStates) || !fseFreqOK(litf, lzfseLitStates) {
		return d, errorf("lzfse", s, ErrCorrupt, "frequency table sums exceed the state counts")
	}
	litStart := s + hsize
	lmdStart := litStart + h.nLitPayload
	lmdEnd := lmdStart + h.nLMDPayload
	if lmdEnd > len(src) {
		return d, errorf("lzfse", s, ErrTruncated, "block of %d payload bytes, %d left", h.nLitPayload+h.nLMDPayload, len(src)-litStart)
	}
	if h.nRaw > len(dst)-d {
		return d, errorf("lzfse", s, ErrOverflow, "block of %d bytes at output %d, destination holds %d", h.nRaw, d, len(dst))
	}
	fseSymbolTable(dec.lit[:], litf)
	fseValueTable(dec.l[:], lf, lzfseLBits[:], lzfseLBase[:])
	fseValueTable(dec.m[:], mf, lzfseMBits[:], lzfseMBase[:])
	fseValueTable(dec.d[:], df, lzfseDBits[:], lzfseDBase[:])

	// Literals: four interleaved states, read backwards from the end of
	// their payload; like the reference, the stream may read back into the
	// bytes before it (the block header), never before src[0].
	var in fseIn
	if !in.init(src, 0, lmdStart, h.literalBits) {
		return d, errorf("lzfse", litStart, ErrCorrupt, "literal stream start (%d bits)", h.literalBits)
	}
	nlit := (h.nLiterals + 3) &^ 3
	st := h.litState
	lit := dec.literals[:nlit]
	for i := 0; i < nlit; i += 4 {
		if !in.flush(src, 0) {
			return d, errorf("lzfse", in.pos, ErrCorrupt, "literal stream runs out at literal %d", i)
		}
		lit[i] = decodeSymbol(dec.lit[:], &st[0], &in)
		lit[i+1] = decodeSymbol(dec.lit[:], &st[1], &in)
		lit[i+2] = decodeSymbol(dec.lit[:], &st[2], &in)
		lit[i+3] = decodeSymbol(dec.lit[:], &st[3], &in)
	}

	// L, M, D triplets, read backwards from the end of their payload.
	if !in.init(src, lmdStart, lmdEnd, h.lmdBits) {
		return d, errorf("lzfse", lmdStart, ErrCorrupt, "L, M, D stream start (%d bits)", h.lmdBits)
	}
	ls, ms, ds := h.lState, h.mState, h.dState
	end := d + h.nRaw
	D := -1
	li := 0
	for n := h.nMatches; n > 0; n-- {
		if !in.flush(src, lmdStart) {
			return d, errorf("lzfse", in.pos, ErrCorrupt, "L, M, D stream runs out with %d matches left", n)
		}
		L := decodeValue(dec.l[:], &ls, &in)
		M := decodeValue(dec.m[:], &ms, &in)
		if nd := decodeValue(dec.d[:], &ds, &in); nd != 0 {
			D = nd
		}
		if L > nlit-li {
			return d, errorf("lzfse", in.pos, ErrCorrupt, "literal run of %d with %d literals left", L, nlit-li)
		}
		if L+M > end-d {
			return d, errorf("lzfse", in.pos, ErrCorrupt, "%d literal and %d match bytes past the block's %d output bytes", L, M, h.nRaw)
		}
		if D <= 0 || D > d+L {
			return d, errorf("lzfse", in.pos, ErrCorrupt, "match distance %d at output %d", D, d+L)
		}
		if L <= 16 && M <= 16 && D >= 8 && end-d >= 32 {
			// Fast path: fixed 16-byte copies that may write past this
			// triplet but stay inside the block, whose every byte later
			// triplets write again; with D >= 8 each 8-byte load reads
			// bytes already final.
			le := binary.LittleEndian
			le.PutUint64(dst[d:], le.Uint64(dec.literals[li:]))
			le.PutUint64(dst[d+8:], le.Uint64(dec.literals[li+8:]))
			d += L
			li += L
			le.PutUint64(dst[d:], le.Uint64(dst[d-D:]))
			le.PutUint64(dst[d+8:], le.Uint64(dst[d-D+8:]))
			d += M
			continue
		}
		copy(dst[d:d+L], lit[li:])
		d += L
		li += L
		copyMatch(dst, d, D, M)
		d += M
	}
	if d != end {
		return d, errorf("lzfse", s, ErrCorrupt, "block decodes to %d bytes, its header says %d", h.nRaw-(end-d), h.nRaw)
	}
	return d, nil
}
