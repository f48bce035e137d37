package lzma

import (
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
	"math/bits"
)

// testEncoder is a minimal LZMA encoder for crafting chunks the real
// encoders never write: matches reaching before a dictionary reset or past
// a chunk, end markers, rep matches at the start. It encodes the ops it is
// told with the decoder's own model, so it only knows what the decoder
// knows; streams from ulikunitz/xz and xz check the model itself.
type testEncoder struct {
	m         lzmaDecoder // the probabilities and state, as the decoder's
	low       uint64
	rng       uint32
	cache     byte
	cacheSize int
	out       []byte
	data      []byte // the output since the dictionary reset, for contexts
}

// newTestEncoder starts an encoder with the given properties byte.
func newTestEncoder(props byte) *testEncoder {
	e := new(testEncoder)
	if err := e.m.setProperties(props); err != nil {
		panic(err)
	}
	e.m.resetState()
	e.startChunk()
	return e
}

// startChunk restarts the range coder, as a new LZMA2 chunk does.
func (e *testEncoder) startChunk() {
	e.low, e.rng, e.cache, e.cacheSize, e.out = 0, 0xFFFFFFFF, 0, 1, nil
}

// endChunk flushes the range coder and returns the chunk's packed bytes.
func (e *testEncoder) endChunk() []byte {
	for range 5 {
		e.shiftLow()
	}
	out := e.out
	e.startChunk()
	return out
}

func (e *testEncoder) shiftLow() {
	if uint32(e.low) < 0xFF000000 || e.low>>32 != 0 {
		carry := byte(e.low >> 32)
		temp := e.cache
		for {
			e.out = append(e.out, temp+carry)
			temp = 0xFF
			e.cacheSize--
			if e.cacheSize == 0 {
				break
			}
		}
		e.cache = byte(uint32(e.low) >> 24)
	}
	e.cacheSize++
	e.low = uint64(uint32(e.low) << 8)
}

func (e *testEncoder) bit(p *uint16, b uint32) {
	bound := (e.rng >> probBits) * uint32(*p)
	if b == 0 {
		e.rng = bound
		*p += (probOne - *p) >> moveBits
	} else {
		e.low += uint64(bound)
		e.rng -= bound
		*p -= *p >> moveBits
	}
	for e.rng < rangeTop {
		e.rng <<= 8
		e.shiftLow()
	}
}

func (e *testEncoder) tree(probs []uint16, nbits int, v uint32) {
	sym := uint32(1)
	for i := nbits - 1; i >= 0; i-- {
		b := v >> i & 1
		e.bit(&probs[sym], b)
		sym = sym<<1 | b
	}
}

// reverseTree encodes v's low nbits, least significant first, with the
// probabilities probs[base+sym].
func (e *testEncoder) reverseTree(probs []uint16, base uint32, nbits int, v uint32) {
	sym := uint32(1)
	for i := range nbits {
		b := v >> i & 1
		e.bit(&probs[base+sym], b)
		sym = sym<<1 | b
	}
}

func (e *testEncoder) posState() uint32 {
	return uint32(len(e.data)) & (1<<e.m.pb - 1)
}

// literal encodes the byte b.
func (e *testEncoder) literal(b byte) {
	m := &e.m
	e.bit(&m.isMatch[m.state<<maxPosBits|e.posState()], 0)
	prev := uint(0)
	if len(e.data) > 0 {
		prev = uint(e.data[len(e.data)-1])
	}
	base := ((uint(len(e.data))&(1<<m.lp-1))<<m.lc + prev>>(8-m.lc)) * literalCoderSize
	probs := m.literal[base : base+literalCoderSize]
	if m.state < firstMatchState {
		e.tree(probs, 8, uint32(b))
	} else {
		match := uint32(e.at(int(m.rep0) + 1))
		sym, offs := uint32(1), uint32(0x100)
		for i := 7; i >= 0; i-- {
			bit := uint32(b) >> i & 1
			match <<= 1
			old := offs
			offs &= match
			e.bit(&probs[offs+old+sym], bit)
			sym = sym<<1 | bit
			if bit == 0 {
				offs ^= old
			}
		}
	}
	m.state = uint32(literalNextState[m.state])
	e.data = append(e.data, b)
}

// at returns the byte dist back, 0 before the start.
func (e *testEncoder) at(dist int) byte {
	if dist > len(e.data) {
		return 0
	}
	return e.data[len(e.data)-dist]
}

// length encodes a match length with ld.
func (e *testEncoder) length(ld *lengthDecoder, n int) {
	l, ps := uint32(n-minMatchLen), e.posState()
	switch {
	case l < 8:
		e.bit(&ld.choice, 0)
		e.tree(ld.low[ps][:], 3, l)
	case l < 16:
		e.bit(&ld.choice, 1)
		e.bit(&ld.choice2, 0)
		e.tree(ld.mid[ps][:], 3, l-8)
	default:
		e.bit(&ld.choice, 1)
		e.bit(&ld.choice2, 1)
		e.tree(ld.high[:], 8, l-16)
	}
}

// match encodes a match of n bytes at distance dist+1 (dist 0xFFFFFFFF:
// the end marker).
func (e *testEncoder) match(dist uint32, n int) {
	m := &e.m
	e.bit(&m.isMatch[m.state<<maxPosBits|e.posState()], 1)
	e.bit(&m.isRep[m.state], 0)
	e.length(&m.matchLen, n)
	slot := dist
	if dist >= distModelStart {
		top := uint32(bits.Len32(dist) - 1)
		slot = 2*top + dist>>(top-1)&1
	}
	e.tree(m.distSlot[min(n-minMatchLen, lenToDistStates-1)][:], distSlotBits, slot)
	if slot >= distModelStart {
		extra := int(slot>>1 - 1)
		base := (2 | slot&1) << extra
		reduced := dist - base
		if slot < distModelEnd {
			e.reverseTree(m.distSpecial[:], base-slot-1, extra, reduced)
		} else {
			for i := extra - alignBits - 1; i >= 0; i-- {
				e.rng >>= 1
				if reduced>>(i+alignBits)&1 != 0 {
					e.low += uint64(e.rng)
				}
				for e.rng < rangeTop {
					e.rng <<= 8
					e.shiftLow()
				}
			}
			e.reverseTree(m.align[:], 0, alignBits, reduced)
		}
	}
	m.rep3, m.rep2, m.rep1, m.rep0 = m.rep2, m.rep1, m.rep0, dist
	m.state = map[bool]uint32{true: 7, false: 10}[m.state < firstMatchState]
	e.copy(n)
}

// rep encodes a match of n bytes at the i-th last distance (n 1 with i 0:
// a short rep).
func (e *testEncoder) rep(i int, n int) {
	m := &e.m
	e.bit(&m.isMatch[m.state<<maxPosBits|e.posState()], 1)
	e.bit(&m.isRep[m.state], 1)
	if i == 0 {
		e.bit(&m.isRepG0[m.state], 0)
		if n == 1 {
			e.bit(&m.isRep0Long[m.state<<maxPosBits|e.posState()], 0)
			m.state = map[bool]uint32{true: 9, false: 11}[m.state < firstMatchState]
			e.copy(1)
			return
		}
		e.bit(&m.isRep0Long[m.state<<maxPosBits|e.posState()], 1)
	} else {
		e.bit(&m.isRepG0[m.state], 1)
		dist := m.rep1
		if i == 1 {
			e.bit(&m.isRepG1[m.state], 0)
		} else {
			e.bit(&m.isRepG1[m.state], 1)
			if i == 2 {
				e.bit(&m.isRepG2[m.state], 0)
				dist = m.rep2
			} else {
				e.bit(&m.isRepG2[m.state], 1)
				dist = m.rep3
				m.rep3 = m.rep2
			}
			m.rep2 = m.rep1
		}
		m.rep1, m.rep0 = m.rep0, dist
	}
	e.length(&m.repLen, n)
	m.state = map[bool]uint32{true: 8, false: 11}[m.state < firstMatchState]
	e.copy(n)
}

// copy appends n bytes from rep0, zeros where it points before the start.
func (e *testEncoder) copy(n int) {
	for range n {
		e.data = append(e.data, e.at(int(e.m.rep0)+1))
	}
}

// lzmaChunk frames packed LZMA data as an LZMA2 chunk; props is used for
// controls 0xC0 and up.
func lzmaChunk(control byte, unpacked int, props byte, packed []byte) []byte {
	u, p := unpacked-1, len(packed)-1
	c := []byte{control | byte(u>>16), byte(u >> 8), byte(u), byte(p >> 8), byte(p)}
	if control >= controlLZMAProperties {
		c = append(c, props)
	}
	return append(c, packed...)
}

// storedChunk frames data as an LZMA2 stored chunk.
func storedChunk(control byte, data []byte) []byte {
	return append([]byte{control, byte((len(data) - 1) >> 8), byte(len(data) - 1)}, data...)
}

// xzBlock is one block for xzStream: its LZMA2 data (end marker included)
// and the output it decodes to, for the check and the index.
type xzBlock struct {
	lzma2    []byte
	output   []byte
	dictProp byte // LZMA2 dictionary size property; 0 for 4 KiB

	// Optional block header fields: sizes (0: absent) and filter flags
	// (nil: LZMA2 alone with dictProp).
	packedSize, unpackedSize uint64
	filters                  [][]byte
}

// xzStream wraps blocks in an xz stream with the given check.
func xzStream(check byte, blocks ...xzBlock) []byte {
	le := binary.LittleEndian
	flags := []byte{0, check}
	s := append([]byte{0xFD, '7', 'z', 'X', 'Z', 0}, flags...)
	s = le.AppendUint32(s, crc32.ChecksumIEEE(flags))
	var index []byte
	for _, b := range blocks {
		start := len(s)
		filters := b.filters
		if filters == nil {
			filters = [][]byte{{filterLZMA2, 1, b.dictProp}}
		}
		header := []byte{0, byte(len(filters) - 1)}
		if b.packedSize != 0 {
			header[1] |= blockFlagPacked
			header = binary.AppendUvarint(header, b.packedSize)
		}
		if b.unpackedSize != 0 {
			header[1] |= blockFlagUnpacked
			header = binary.AppendUvarint(header, b.unpackedSize)
		}
		for _, f := range filters {
			header = append(header, f...)
		}
		for (len(header)+4)%4 != 0 {
			header = append(header, 0)
		}
		header[0] = byte((len(header)+4)/4 - 1)
		s = append(s, header...)
		s = le.AppendUint32(s, crc32.ChecksumIEEE(header))
		s = append(s, b.lzma2...)
		unpadded := len(s) - start
		for len(s)%4 != 0 {
			s = append(s, 0)
		}
		switch check {
		case checkCRC32:
			s = le.AppendUint32(s, crc32.ChecksumIEEE(b.output))
			unpadded += 4
		case checkCRC64:
			s = le.AppendUint64(s, crc64.Checksum(b.output, crc64Table))
			unpadded += 8
		case checkSHA256:
			sum := sha256.Sum256(b.output)
			s = append(s, sum[:]...)
			unpadded += 32
		}
		index = binary.AppendUvarint(index, uint64(unpadded))
		index = binary.AppendUvarint(index, uint64(len(b.output)))
	}
	index = append(binary.AppendUvarint([]byte{0}, uint64(len(blocks))), index...)
	for len(index)%4 != 0 {
		index = append(index, 0)
	}
	index = le.AppendUint32(index, crc32.ChecksumIEEE(index))
	s = append(s, index...)
	footer := le.AppendUint32(nil, uint32(len(index)/4-1))
	footer = append(footer, flags...)
	s = le.AppendUint32(s, crc32.ChecksumIEEE(footer))
	s = append(s, footer...)
	return append(s, 'Y', 'Z')
}
