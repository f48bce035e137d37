package lzma

import "errors"

var errVarint = errors.New("invalid variable-length integer")

// maxVarintLen is the longest xz variable-length integer: 9 bytes of 7 bits,
// so values below 2^63.
const maxVarintLen = 9

// readVarint reads the xz variable-length integer at src[off]: 7 bits per
// byte, least significant first, the high bit set on all bytes but the
// last. It returns the value and the offset after it; a value with a
// superfluous zero byte, longer than 9 bytes or cut short is an error.
func readVarint(src []byte, off int) (uint64, int, error) {
	var v uint64
	for i := 0; i < maxVarintLen; i++ {
		if off+i >= len(src) {
			return 0, off, errTruncated
		}
		b := src[off+i]
		v |= uint64(b&0x7F) << (7 * i)
		if b&0x80 == 0 {
			if b == 0 && i > 0 {
				return 0, off, errVarint
			}
			return v, off + i + 1, nil
		}
	}
	return 0, off, errVarint
}
