package dmg

import "hash/crc32"

// zerosCRC returns the CRC-32 (IEEE) of n zero bytes (n a multiple of 512)
// in O(log n) combinations, so that a zero chunk of any size costs nothing
// to checksum.
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

// crc32Combine returns the CRC-32 (IEEE) of the concatenation of A and B
// from crcA, crcB and B's length, without the bytes: zlib's
// crc32_combine, by repeated squaring of the operator that feeds one zero
// bit through the CRC register.
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA
	}
	var even, odd [32]uint32
	odd[0] = 0xedb88320 // the reflected IEEE polynomial: one zero bit
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd) // the first pass makes one zero byte
		if lenB&1 != 0 {
			crcA = gf2Times(&even, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		gf2Square(&odd, &even)
		if lenB&1 != 0 {
			crcA = gf2Times(&odd, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
	}
	return crcA ^ crcB
}

// gf2Times multiplies the 32x32 bit matrix m by the vector v over GF(2).
func gf2Times(m *[32]uint32, v uint32) uint32 {
	var sum uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			sum ^= m[i]
		}
	}
	return sum
}

// gf2Square sets sq to m·m.
func gf2Square(sq, m *[32]uint32) {
	for n := range m {
		sq[n] = gf2Times(m, m[n])
	}
}
