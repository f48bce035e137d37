package codec

// ADC decodes Apple Data Compression (UDIF chunk type 0x80000004) from src
// into dst and returns the number of bytes written. The whole of src is
// decoded; it is an error for the output to need more than len(dst) bytes,
// for src to end inside an opcode, or for a match to reach before the
// start of the output. ADC has no end marker or length, so a stream cut at
// an opcode boundary decodes without error to fewer bytes: a caller that
// knows the chunk's size must compare it with the count.
//
// The format, as 7-Zip's CAdcDecoder decodes it (CPP/7zip/Archive/
// DmgHandler.cpp, ip7z/7zip commit 62bda46c; its CLzOutWindow::CopyBlock
// copies from distance+1 bytes back):
//
//	1xxxxxxx                    literal run of (b&0x7f)+1 bytes
//	01xxxxxx hhhhhhhh llllllll  match of (b&0x3f)+4 bytes, distance (h<<8|l)+1
//	00xxxxyy llllllll           match of ((b>>2)&0xf)+3 bytes, distance (yy<<8|l)+1
func ADC(dst, src []byte) (int, error) {
	d, s := 0, 0
	for s < len(src) {
		b := src[s]
		if b&0x80 != 0 {
			n := int(b&0x7f) + 1
			if n > len(src)-s-1 {
				return d, errorf("adc", s, ErrTruncated, "literal run of %d bytes, %d left", n, len(src)-s-1)
			}
			if n > len(dst)-d {
				return d, errorf("adc", s, ErrOverflow, "literal run of %d bytes at output %d, destination holds %d", n, d, len(dst))
			}
			copy(dst[d:], src[s+1:s+1+n])
			d += n
			s += 1 + n
			continue
		}
		var n, dist, size int
		if b&0x40 != 0 {
			if len(src)-s < 3 {
				return d, errorf("adc", s, ErrTruncated, "3-byte match opcode")
			}
			n = int(b&0x3f) + 4
			dist = (int(src[s+1])<<8 | int(src[s+2])) + 1
			size = 3
		} else {
			if len(src)-s < 2 {
				return d, errorf("adc", s, ErrTruncated, "2-byte match opcode")
			}
			n = int(b>>2) + 3
			dist = (int(b&3)<<8 | int(src[s+1])) + 1
			size = 2
		}
		if dist > d {
			return d, errorf("adc", s, ErrCorrupt, "match distance %d at output %d", dist, d)
		}
		if n > len(dst)-d {
			return d, errorf("adc", s, ErrOverflow, "match of %d bytes at output %d, destination holds %d", n, d, len(dst))
		}
		copyMatch(dst, d, dist, n)
		d += n
		s += size
	}
	return d, nil
}
