package codec

import (
	"encoding/binary"
	"math/bits"
)

// Finite State Entropy decoding for LZFSE, after Apple's lzfse_fse.c and
// lzfse_fse.h (github.com/lzfse/lzfse).

// fseIn reads an FSE bit stream backwards: bits are pulled from the end of
// src[lo:end] towards lo, most significant first, through a 64-bit
// accumulator that flush keeps at 56 to 63 valid bits.
type fseIn struct {
	accum uint64
	nbits int // valid bits in accum
	pos   int // bytes [lo, pos) of src are still unread
}

// init loads the last 8 (or 7, when n is 0) bytes of src[lo:end]; n, in
// [-7, 0], is the number of unused bits in the last byte the encoder wrote,
// negated. It reports false when the stream cannot be right.
func (f *fseIn) init(src []byte, lo, end, n int) bool {
	if n != 0 {
		if end-lo < 8 {
			return false
		}
		f.pos = end - 8
		f.accum = binary.LittleEndian.Uint64(src[f.pos:])
		f.nbits = n + 64
	} else {
		if end-lo < 7 {
			return false
		}
		f.pos = end - 7
		f.accum = uint64(binary.LittleEndian.Uint32(src[f.pos:])) | uint64(binary.LittleEndian.Uint16(src[f.pos+4:]))<<32 | uint64(src[f.pos+6])<<48
		f.nbits = 56
	}
	return f.nbits >= 56 && f.nbits < 64 && f.accum>>uint(f.nbits) == 0
}

// flush refills the accumulator to 56-63 bits; it reports false when that
// would read before lo.
func (f *fseIn) flush(src []byte, lo int) bool {
	nb := (63 - f.nbits) &^ 7
	p := f.pos - nb>>3
	if p < lo || p+8 > len(src) {
		return f.flushSlow(src, lo)
	}
	f.pos = p
	f.accum = f.accum<<uint(nb) | binary.LittleEndian.Uint64(src[p:])&(1<<uint(nb)-1)
	f.nbits += nb
	return true
}

// flushSlow is flush near the ends of src, byte by byte.
func (f *fseIn) flushSlow(src []byte, lo int) bool {
	nb := (63 - f.nbits) &^ 7
	n := nb >> 3
	p := f.pos - n
	if p < lo {
		return false
	}
	var in uint64
	for i := n - 1; i >= 0; i-- {
		in = in<<8 | uint64(src[p+i])
	}
	f.pos = p
	f.accum = f.accum<<uint(nb) | in
	f.nbits += nb
	return true
}

// pull removes and returns the top n bits. Callers pull at most 56 bits
// between flushes, which the table construction guarantees.
func (f *fseIn) pull(n uint) uint64 {
	f.nbits -= int(n)
	v := f.accum >> uint(f.nbits)
	f.accum &= 1<<uint(f.nbits) - 1
	return v
}

// fseEntry is one state of a symbol decoder: bits to read (low 8 bits),
// the symbol (next 8) and the next state's base (top 16).
type fseEntry uint32

// fseValueEntry is one state of a value decoder (L, M or D): it reads
// total bits, the low valueBits of which are added to vbase; the rest,
// added to delta, are the next state.
type fseValueEntry struct {
	total     uint8
	valueBits uint8
	delta     uint16
	vbase     int32
}

// fseFreqOK reports whether the frequencies sum to at most nstates.
func fseFreqOK(freq []uint16, nstates int) bool {
	sum := 0
	for _, f := range freq {
		sum += int(f)
	}
	return sum <= nstates
}

// fseSymbolTable fills t (len nstates, a power of two) from frequencies
// that fseFreqOK accepted; states no symbol claims decode as symbol 0 and
// go to state 0. Every next state is below nstates.
func fseSymbolTable(t []fseEntry, freq []uint16) {
	nstates := len(t)
	clear(t)
	nclz := bits.LeadingZeros32(uint32(nstates))
	i := 0
	for sym, f16 := range freq {
		f := int(f16)
		if f == 0 {
			continue
		}
		k := bits.LeadingZeros32(uint32(f)) - nclz // nstates <= f<<k < 2*nstates
		j0 := (2*nstates)>>k - f
		for j := 0; j < f; j++ {
			if j < j0 {
				t[i] = fseEntry(uint32(k) | uint32(sym)<<8 | uint32((f+j)<<k-nstates)<<16)
			} else {
				t[i] = fseEntry(uint32(k-1) | uint32(sym)<<8 | uint32((j-j0)<<(k-1))<<16)
			}
			i++
		}
	}
}

// fseValueTable is fseSymbolTable for values: symbol s stands for
// base[s] plus vbits[s] raw bits.
func fseValueTable(t []fseValueEntry, freq []uint16, vbits []uint8, base []int32) {
	nstates := len(t)
	clear(t)
	nclz := bits.LeadingZeros32(uint32(nstates))
	i := 0
	for sym, f16 := range freq {
		f := int(f16)
		if f == 0 {
			continue
		}
		k := bits.LeadingZeros32(uint32(f)) - nclz
		j0 := (2*nstates)>>k - f
		for j := 0; j < f; j++ {
			e := fseValueEntry{valueBits: vbits[sym], vbase: base[sym]}
			if j < j0 {
				e.total = uint8(k) + vbits[sym]
				e.delta = uint16((f+j)<<k - nstates)
			} else {
				e.total = uint8(k-1) + vbits[sym]
				e.delta = uint16((j - j0) << (k - 1))
			}
			t[i] = e
			i++
		}
	}
}

// decodeSymbol decodes one symbol and advances *state; the table length
// is a power of two, so masking keeps the index in range.
func decodeSymbol(t []fseEntry, state *uint16, in *fseIn) byte {
	e := t[int(*state)&(len(t)-1)]
	*state = uint16(e>>16) + uint16(in.pull(uint(e&0xff)))
	return byte(e >> 8)
}

// decodeValue decodes one L, M or D value and advances *state.
func decodeValue(t []fseValueEntry, state *uint16, in *fseIn) int {
	e := t[int(*state)&(len(t)-1)]
	v := in.pull(uint(e.total))
	*state = e.delta + uint16(v>>e.valueBits)
	return int(e.vbase) + int(v&(1<<e.valueBits-1))
}
