package codec

import "encoding/binary"

// lzvn decodes one LZVN payload, src (which starts at offset base of the
// LZFSE input), into dst[d:end], and returns the new output position. The
// payload must end with the end-of-stream opcode exactly at len(src), and
// must fill dst[d:end] exactly; matches may reach back into earlier blocks'
// output (down to dst[0]). The caller has checked end <= len(dst).
//
// Opcodes, after Apple's lzvn_decode_base.c (github.com/lzfse/lzfse), with
// L literal bytes following the opcode, M match bytes and D the distance:
//
//	LLMMMDDD DDDDDDDD              sml_d: L 0-3, M 3-10, D < 2048 (DDD != 110, 111)
//	LLMMM110                       pre_d: D from the previous match (LL|MMM != 0..3)
//	LLMMM111 DDDDDDDD DDDDDDDD     lrg_d: D little-endian 16 bits
//	101LLMMM DDDDDDMM DDDDDDDD     med_d: M = MMM<<2|MM + 3, D 14 bits
//	1110LLLL / 11100000 LLLLLLLL   sml_l / lrg_l (L+16): literal only
//	1111MMMM / 11110000 MMMMMMMM   sml_m / lrg_m (M+16): match at previous D
//	00000110 + 7 bytes             end of stream
//	00001110, 00010110             nop
//
// and 0x1e-0x3e (step 8), 0x70-0x7f, 0xd0-0xdf undefined.
func lzvn(dst []byte, d, end int, src []byte, base int) (int, error) {
	D := 0 // previous distance; 0 is never valid
	s := 0
	for {
		if s >= len(src) {
			return d, errorf("lzvn", base+s, ErrTruncated, "payload ends without end-of-stream opcode")
		}
		op := src[s]
		var L, M, size int
		switch {
		case op >= 0xf0: // sml_m, lrg_m
			if op == 0xf0 {
				if len(src)-s < 2 {
					return d, errorf("lzvn", base+s, ErrTruncated, "lrg_m opcode")
				}
				M, size = int(src[s+1])+16, 2
			} else {
				M, size = int(op&0xf), 1
			}
			if D == 0 || D > d {
				return d, errorf("lzvn", base+s, ErrCorrupt, "match distance %d at output %d", D, d)
			}
			if M > end-d {
				return d, errorf("lzvn", base+s, ErrCorrupt, "match of %d bytes past the block's %d output bytes", M, end)
			}
			copyMatch(dst, d, D, M)
			d += M
			s += size
			continue
		case op >= 0xe0: // sml_l, lrg_l
			if op == 0xe0 {
				if len(src)-s < 2 {
					return d, errorf("lzvn", base+s, ErrTruncated, "lrg_l opcode")
				}
				L, size = int(src[s+1])+16, 2
			} else {
				L, size = int(op&0xf), 1
			}
			if L > len(src)-s-size {
				return d, errorf("lzvn", base+s, ErrTruncated, "literal of %d bytes", L)
			}
			if L > end-d {
				return d, errorf("lzvn", base+s, ErrCorrupt, "literal of %d bytes past the block's output", L)
			}
			copy(dst[d:], src[s+size:s+size+L])
			d += L
			s += size + L
			continue
		case op >= 0xd0, op >= 0x70 && op < 0x80:
			return d, errorf("lzvn", base+s, ErrCorrupt, "undefined opcode %#02x", op)
		case op >= 0xa0 && op < 0xc0: // med_d
			if len(src)-s < 3 {
				return d, errorf("lzvn", base+s, ErrTruncated, "med_d opcode")
			}
			v := int(binary.LittleEndian.Uint16(src[s+1:]))
			L, M, D, size = int(op>>3)&3, (int(op&7)<<2|v&3)+3, v>>2, 3
		case op&7 == 7: // lrg_d
			if len(src)-s < 3 {
				return d, errorf("lzvn", base+s, ErrTruncated, "lrg_d opcode")
			}
			L, M, D, size = int(op>>6), int(op>>3&7)+3, int(binary.LittleEndian.Uint16(src[s+1:])), 3
		case op&7 == 6:
			switch {
			case op == 0x06: // end of stream
				if len(src)-s < 8 {
					return d, errorf("lzvn", base+s, ErrTruncated, "end-of-stream opcode")
				}
				if s+8 != len(src) {
					return d, errorf("lzvn", base+s, ErrCorrupt, "end of stream with %d payload bytes left", len(src)-s-8)
				}
				if d != end {
					return d, errorf("lzvn", base+s, ErrCorrupt, "end of stream after %d of the block's output bytes", d)
				}
				return d, nil
			case op == 0x0e || op == 0x16: // nop
				s++
				continue
			case op < 0x40:
				return d, errorf("lzvn", base+s, ErrCorrupt, "undefined opcode %#02x", op)
			}
			L, M, size = int(op>>6), int(op>>3&7)+3, 1 // pre_d
		default: // sml_d
			if len(src)-s < 2 {
				return d, errorf("lzvn", base+s, ErrTruncated, "sml_d opcode")
			}
			L, M, D, size = int(op>>6), int(op>>3&7)+3, int(op&7)<<8|int(src[s+1]), 2
		}
		// Literal and match.
		if L > len(src)-s-size {
			return d, errorf("lzvn", base+s, ErrTruncated, "literal of %d bytes", L)
		}
		if L+M > end-d {
			return d, errorf("lzvn", base+s, ErrCorrupt, "%d literal and %d match bytes past the block's output", L, M)
		}
		copy(dst[d:d+L], src[s+size:])
		d += L
		if D == 0 || D > d {
			return d, errorf("lzvn", base+s, ErrCorrupt, "match distance %d at output %d", D, d)
		}
		copyMatch(dst, d, D, M)
		d += M
		s += size + L
	}
}
