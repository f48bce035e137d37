package lzma

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Constants of LZMA's adaptive binary range coder.
const (
	probBits  = 11            // probabilities are 11-bit fixed point
	probOne   = 1 << probBits // probability 1.0
	probInit  = probOne / 2   // every model starts at 0.5
	moveBits  = 5             // adaptation speed of a probability
	rangeTop  = 1 << 24       // the range is renormalized below this
	rangeInit = 5             // bytes that start a range-coded chunk
)

// Constants of the LZMA model.
const (
	numStates        = 12
	maxPosBits       = 4
	maxPosStates     = 1 << maxPosBits
	literalCoderSize = 0x300
	maxLcLp          = 4 // LZMA2 allows lc + lp <= 4
	minMatchLen      = 2
	lenLowBits       = 3
	lenMidBits       = 3
	lenHighBits      = 8
	lenToDistStates  = 4
	distSlotBits     = 6
	distModelStart   = 4  // first distance slot with extra bits
	distModelEnd     = 14 // first distance slot with direct bits
	fullDistances    = 1 << (distModelEnd >> 1)
	alignBits        = 4
	// firstMatchState is the first state entered after a match; states
	// below it follow a literal, so the next literal is not matched.
	firstMatchState = 7
)

// literalNextState is the state after a literal, indexed by the state before.
var literalNextState = [numStates]uint8{0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 4, 5}

// Errors of the LZMA layer; the LZMA2 layer wraps them with the chunk's offset.
var (
	errRangeInit     = errors.New("range coder does not start with a zero byte")
	errInputOverrun  = errors.New("compressed data ends before the chunk's output")
	errPackedSize    = errors.New("compressed data does not end at the chunk's packed size")
	errRangeNotFlush = errors.New("range coder not flushed at the end of the chunk")
	errEndMarker     = errors.New("end marker, not allowed in LZMA2")
	errDistance      = errors.New("match distance beyond the dictionary")
	errMatchPastEnd  = errors.New("match runs past the end of the chunk")
)

// Match copies up to shortMatch bytes long go by words of wordSize bytes.
const (
	wordSize   = 8
	shortMatch = 32
)

// lengthDecoder holds the probabilities of one match length model: a
// choice between 8 low lengths (per position state), 8 middle ones (per
// position state) and 256 high ones.
type lengthDecoder struct {
	choice  uint16
	choice2 uint16
	low     [maxPosStates][1 << lenLowBits]uint16
	mid     [maxPosStates][1 << lenMidBits]uint16
	high    [1 << lenHighBits]uint16
}

// lzmaDecoder is the LZMA model: properties, probabilities and the state
// that LZMA2 chunks carry from one to the next unless they reset it.
type lzmaDecoder struct {
	lc, lp, pb uint   // literal context bits, literal position bits, position bits
	dictSize   uint64 // distances must stay below it

	state                  uint32 // 0..11
	rep0, rep1, rep2, rep3 uint32 // the last four distances, minus one

	isMatch     [numStates << maxPosBits]uint16
	isRep       [numStates]uint16
	isRepG0     [numStates]uint16
	isRepG1     [numStates]uint16
	isRepG2     [numStates]uint16
	isRep0Long  [numStates << maxPosBits]uint16
	distSlot    [lenToDistStates][1 << distSlotBits]uint16
	distSpecial [fullDistances - distModelEnd]uint16
	align       [1 << alignBits]uint16
	matchLen    lengthDecoder
	repLen      lengthDecoder
	literal     [literalCoderSize << maxLcLp]uint16
}

// setProperties decodes an LZMA2 properties byte (lc, lp and pb packed as
// (pb*5+lp)*9+lc).
func (d *lzmaDecoder) setProperties(props byte) error {
	if props > (4*5+4)*9+8 {
		return fmt.Errorf("invalid properties byte %#x", props)
	}
	lc, lp, pb := uint(props%9), uint(props/9%5), uint(props/45)
	if lc+lp > maxLcLp {
		return fmt.Errorf("properties lc=%d lp=%d: lc+lp above %d", lc, lp, maxLcLp)
	}
	d.lc, d.lp, d.pb = lc, lp, pb
	return nil
}

// resetState puts the model back to its initial state: probabilities at
// one half, state 0 and all distances 0.
func (d *lzmaDecoder) resetState() {
	d.state = 0
	d.rep0, d.rep1, d.rep2, d.rep3 = 0, 0, 0, 0
	fill := func(p []uint16) {
		for i := range p {
			p[i] = probInit
		}
	}
	fill(d.isMatch[:])
	fill(d.isRep[:])
	fill(d.isRepG0[:])
	fill(d.isRepG1[:])
	fill(d.isRepG2[:])
	fill(d.isRep0Long[:])
	for i := range d.distSlot {
		fill(d.distSlot[i][:])
	}
	fill(d.distSpecial[:])
	fill(d.align[:])
	for _, ld := range []*lengthDecoder{&d.matchLen, &d.repLen} {
		ld.choice, ld.choice2 = probInit, probInit
		for i := range ld.low {
			fill(ld.low[i][:])
			fill(ld.mid[i][:])
		}
		fill(ld.high[:])
	}
	fill(d.literal[:literalCoderSize<<(d.lc+d.lp)])
}

// decodeChunk decodes one LZMA2 chunk's range-coded data in into win from
// win[pos] up to len(win). win starts at the last dictionary reset, so
// win[:pos] is the dictionary. The chunk must use exactly all of in and
// leave the range coder flushed.
//
// The range coder lives in local variables and every bit decode is
// written out in place: this loop is where the time goes. Each bit decode
// is the same sequence: bound splits the range by the probability *p; a
// 0 takes the lower part and raises *p, a 1 the upper part and lowers it;
// then a byte is shifted in when the range fell below rangeTop (past the
// end of in, zeros are shifted in and the overrun is caught per symbol).
func (d *lzmaDecoder) decodeChunk(win []byte, pos int, in []byte) error {
	if len(in) < rangeInit || in[0] != 0 {
		return errRangeInit
	}
	rng := uint32(0xFFFFFFFF)
	code := binary.BigEndian.Uint32(in[1:rangeInit])
	ip := rangeInit

	state := d.state
	rep0, rep1, rep2, rep3 := d.rep0, d.rep1, d.rep2, d.rep3
	lc := d.lc
	lpMask := uint(1)<<d.lp - 1
	pbMask := uint(1)<<d.pb - 1
	dictSize := d.dictSize
	end := len(win)
	spare := win[:cap(win)] // win and the capacity after it

	var err error
	for pos < end {
		if ip > len(in) {
			err = errInputOverrun
			break
		}
		posState := uint(pos) & pbMask

		// isMatch: literal or match?
		p := &d.isMatch[uint(state)<<maxPosBits|posState]
		bound := (rng >> probBits) * uint32(*p)
		if code < bound {
			rng = bound
			*p += (probOne - *p) >> moveBits
			if rng < rangeTop {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}

			// Literal: 8 bits through a tree chosen by the position
			// and the previous byte's high bits.
			prev := uint(0)
			if pos > 0 {
				prev = uint(win[pos-1])
			}
			base := ((uint(pos)&lpMask)<<lc + prev>>(8-lc)) * literalCoderSize
			probs := d.literal[base : base+literalCoderSize : base+literalCoderSize]
			sym := uint(1)
			if state < firstMatchState {
				for sym < 0x100 {
					p := &probs[sym]
					bound := (rng >> probBits) * uint32(*p)
					if code < bound {
						rng = bound
						*p += (probOne - *p) >> moveBits
						sym <<= 1
					} else {
						rng -= bound
						code -= bound
						*p -= *p >> moveBits
						sym = sym<<1 | 1
					}
					if rng < rangeTop {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
				}
			} else {
				// Matched literal: the byte at rep0 steers the
				// probabilities until the first bit that differs.
				if uint64(rep0) >= uint64(pos) {
					err = errDistance
					break
				}
				match := uint(win[pos-int(rep0)-1])
				offs := uint(0x100)
				for sym < 0x100 {
					match <<= 1
					bit := offs
					offs &= match
					p := &probs[offs+bit+sym]
					bound := (rng >> probBits) * uint32(*p)
					if code < bound {
						rng = bound
						*p += (probOne - *p) >> moveBits
						sym <<= 1
						offs ^= bit
					} else {
						rng -= bound
						code -= bound
						*p -= *p >> moveBits
						sym = sym<<1 | 1
					}
					if rng < rangeTop {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
				}
			}
			win[pos] = byte(sym)
			pos++
			state = uint32(literalNextState[state])
			continue
		}
		rng -= bound
		code -= bound
		*p -= *p >> moveBits
		if rng < rangeTop {
			rng <<= 8
			code <<= 8
			if uint(ip) < uint(len(in)) {
				code |= uint32(in[ip])
			}
			ip++
		}

		// isRep: new distance or one of the last four?
		var ld *lengthDecoder
		newDistance := false
		p = &d.isRep[state]
		bound = (rng >> probBits) * uint32(*p)
		if code < bound {
			rng = bound
			*p += (probOne - *p) >> moveBits
			if rng < rangeTop {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}
			rep3, rep2, rep1 = rep2, rep1, rep0
			ld = &d.matchLen
			newDistance = true
			if state < firstMatchState {
				state = 7
			} else {
				state = 10
			}
		} else {
			rng -= bound
			code -= bound
			*p -= *p >> moveBits
			if rng < rangeTop {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}

			// isRepG0: rep0, or one of rep1..rep3?
			p = &d.isRepG0[state]
			bound = (rng >> probBits) * uint32(*p)
			if code < bound {
				rng = bound
				*p += (probOne - *p) >> moveBits
				if rng < rangeTop {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}

				// isRep0Long: a match at rep0, or a single byte?
				p = &d.isRep0Long[uint(state)<<maxPosBits|posState]
				bound = (rng >> probBits) * uint32(*p)
				if code < bound {
					rng = bound
					*p += (probOne - *p) >> moveBits
					if rng < rangeTop {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					// Short rep: one byte from rep0.
					if uint64(rep0) >= uint64(pos) {
						err = errDistance
						break
					}
					win[pos] = win[pos-int(rep0)-1]
					pos++
					if state < firstMatchState {
						state = 9
					} else {
						state = 11
					}
					continue
				}
				rng -= bound
				code -= bound
				*p -= *p >> moveBits
				if rng < rangeTop {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
			} else {
				rng -= bound
				code -= bound
				*p -= *p >> moveBits
				if rng < rangeTop {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}

				// isRepG1: rep1, or rep2..rep3?
				var dist uint32
				p = &d.isRepG1[state]
				bound = (rng >> probBits) * uint32(*p)
				if code < bound {
					rng = bound
					*p += (probOne - *p) >> moveBits
					dist = rep1
				} else {
					rng -= bound
					code -= bound
					*p -= *p >> moveBits

					// isRepG2: rep2 or rep3?
					if rng < rangeTop {
						rng <<= 8
						code <<= 8
						if uint(ip) < uint(len(in)) {
							code |= uint32(in[ip])
						}
						ip++
					}
					p = &d.isRepG2[state]
					bound = (rng >> probBits) * uint32(*p)
					if code < bound {
						rng = bound
						*p += (probOne - *p) >> moveBits
						dist = rep2
					} else {
						rng -= bound
						code -= bound
						*p -= *p >> moveBits
						dist = rep3
						rep3 = rep2
					}
					rep2 = rep1
				}
				if rng < rangeTop {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
				rep1 = rep0
				rep0 = dist
			}
			ld = &d.repLen
			if state < firstMatchState {
				state = 8
			} else {
				state = 11
			}
		}

		// Match length: choice between the low, mid and high trees.
		var tree []uint16
		var treeSize, length uint
		p = &ld.choice
		bound = (rng >> probBits) * uint32(*p)
		if code < bound {
			rng = bound
			*p += (probOne - *p) >> moveBits
			tree, treeSize, length = ld.low[posState][:], 1<<lenLowBits, minMatchLen
		} else {
			rng -= bound
			code -= bound
			*p -= *p >> moveBits
			if rng < rangeTop {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}
			p = &ld.choice2
			bound = (rng >> probBits) * uint32(*p)
			if code < bound {
				rng = bound
				*p += (probOne - *p) >> moveBits
				tree, treeSize, length = ld.mid[posState][:], 1<<lenMidBits, minMatchLen+1<<lenLowBits
			} else {
				rng -= bound
				code -= bound
				*p -= *p >> moveBits
				tree, treeSize, length = ld.high[:], 1<<lenHighBits, minMatchLen+1<<lenLowBits+1<<lenMidBits
			}
		}
		if rng < rangeTop {
			rng <<= 8
			code <<= 8
			if uint(ip) < uint(len(in)) {
				code |= uint32(in[ip])
			}
			ip++
		}
		sym := uint(1)
		for sym < treeSize {
			p := &tree[sym]
			bound := (rng >> probBits) * uint32(*p)
			if code < bound {
				rng = bound
				*p += (probOne - *p) >> moveBits
				sym <<= 1
			} else {
				rng -= bound
				code -= bound
				*p -= *p >> moveBits
				sym = sym<<1 | 1
			}
			if rng < rangeTop {
				rng <<= 8
				code <<= 8
				if uint(ip) < uint(len(in)) {
					code |= uint32(in[ip])
				}
				ip++
			}
		}
		length += sym - treeSize

		if newDistance {
			// Distance slot: 6 bits through a tree chosen by the length.
			slots := &d.distSlot[min(length-minMatchLen, lenToDistStates-1)]
			slot := uint32(1)
			for slot < 1<<distSlotBits {
				p := &slots[slot]
				bound := (rng >> probBits) * uint32(*p)
				if code < bound {
					rng = bound
					*p += (probOne - *p) >> moveBits
					slot <<= 1
				} else {
					rng -= bound
					code -= bound
					*p -= *p >> moveBits
					slot = slot<<1 | 1
				}
				if rng < rangeTop {
					rng <<= 8
					code <<= 8
					if uint(ip) < uint(len(in)) {
						code |= uint32(in[ip])
					}
					ip++
				}
			}
			slot -= 1 << distSlotBits

			dist := slot
			if slot >= distModelStart {
				extraBits := slot>>1 - 1
				dist = 2 | slot&1
				if slot < distModelEnd {
					dist <<= extraBits
					// Low bits reverse-coded through their own models.
					base := dist - slot - 1 // wraps to -1 for slot 4; sym >= 1
					sym := uint32(1)
					for i := uint32(0); i < extraBits; i++ {
						p := &d.distSpecial[base+sym]
						bound := (rng >> probBits) * uint32(*p)
						if code < bound {
							rng = bound
							*p += (probOne - *p) >> moveBits
							sym <<= 1
						} else {
							rng -= bound
							code -= bound
							*p -= *p >> moveBits
							sym = sym<<1 | 1
							dist |= 1 << i
						}
						if rng < rangeTop {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
					}
				} else {
					// Middle bits direct (probability one half),
					// then 4 align bits reverse-coded.
					for i := extraBits - alignBits; i > 0; i-- {
						rng >>= 1
						code -= rng
						mask := 0 - code>>31
						code += rng & mask
						dist = dist<<1 + mask + 1
						if rng < rangeTop {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
					}
					dist <<= alignBits
					sym := uint32(1)
					for i := uint32(0); i < alignBits; i++ {
						p := &d.align[sym%(1<<alignBits)] // sym < 16: the modulo spares a bounds check
						bound := (rng >> probBits) * uint32(*p)
						if code < bound {
							rng = bound
							*p += (probOne - *p) >> moveBits
							sym <<= 1
						} else {
							rng -= bound
							code -= bound
							*p -= *p >> moveBits
							sym = sym<<1 | 1
							dist |= 1 << i
						}
						if rng < rangeTop {
							rng <<= 8
							code <<= 8
							if uint(ip) < uint(len(in)) {
								code |= uint32(in[ip])
							}
							ip++
						}
					}
				}
			}
			rep0 = dist
			if dist == 0xFFFFFFFF {
				err = errEndMarker
				break
			}
		}

		// Copy length bytes from rep0+1 back.
		if uint64(rep0) >= uint64(pos) || uint64(rep0) >= dictSize {
			err = errDistance
			break
		}
		dist := int(rep0) + 1
		n := int(length)
		if n > end-pos {
			err = errMatchPastEnd
			break
		}
		from := pos - dist
		switch {
		case dist >= wordSize && n <= shortMatch && pos+shortMatch <= len(spare):
			// Short match, in 8-byte words: a word's source ends
			// where it is written at the latest, so overlap is fine.
			// The last word may spill past the chunk into spare
			// capacity, which later output overwrites.
			for i := 0; i < n; i += wordSize {
				binary.LittleEndian.PutUint64(spare[pos+i:], binary.LittleEndian.Uint64(spare[from+i:]))
			}
			pos += n
		case n <= dist:
			copy(win[pos:pos+n], win[from:from+n])
			pos += n
		default:
			// Overlapping: the bytes from..pos repeat with period
			// dist, so copying them doubles the repeated span.
			for n > 0 {
				k := copy(win[pos:pos+n], win[from:pos])
				pos += k
				n -= k
			}
		}
	}

	d.state = state
	d.rep0, d.rep1, d.rep2, d.rep3 = rep0, rep1, rep2, rep3
	switch {
	case err != nil:
		return err
	case ip > len(in):
		return errInputOverrun
	case ip < len(in):
		return errPackedSize
	case code != 0:
		return errRangeNotFlush
	}
	return nil
}
