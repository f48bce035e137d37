package dmg

import "hash/crc32"

// The CRC-32 (IEEE) of a concatenation is computed from the parts' CRCs by
// multiplying by x^(8·len) modulo the polynomial, as zlib's crc32_combine
// does since 1.2.12: x2n[k] holds x^(2^k) mod p, so x^n takes one
// multiplication per set bit of n.

// poly is the reflected IEEE polynomial.
const poly = 0xedb88320

// x2n holds x^(2^k) mod p, reflected, for k = 0..31.
var x2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = multModP(p, p)
	}
	return t
}()

// multModP multiplies a and b modulo p (reflected bit order).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var prod uint32
	for {
		if a&m != 0 {
			prod ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ poly
		} else {
			b >>= 1
		}
	}
	return prod
}

// x8nModP returns x^(8·n) mod p.
func x8nModP(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			p = multModP(x2n[k&31], p)
		}
	}
	return p
}

// crc32Combine returns the CRC-32 (IEEE) of the concatenation of A and B
// from crcA, crcB and B's length, without the bytes.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA ^ crcB // the CRC of nothing is 0
	}
	return multModP(x8nModP(lenB), crcA) ^ crcB
}

// zerosCRC returns the CRC-32 (IEEE) of n zero bytes (n a multiple of 512)
// by doubling, in O(log n) combinations, so that a zero chunk of any size
// costs nothing to checksum.
func zerosCRC(n int64) uint32 {
	var sum uint32 // the CRC of nothing
	pow, powLen := crc32.ChecksumIEEE(make([]byte, SectorSize)), int64(SectorSize)
	for k := n / SectorSize; k > 0; k >>= 1 {
		if k&1 != 0 {
			sum = crc32Combine(sum, pow, powLen)
		}
		pow = crc32Combine(pow, pow, powLen)
		powLen *= 2
	}
	return sum
}
