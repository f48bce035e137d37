package apfs

import "encoding/binary"

// fletcher64 returns the APFS object checksum of b: Fletcher-64 over the
// little-endian 32-bit words of b (the object without its o_cksum field),
// arranged so that checksumming the whole object, stored checksum
// included, yields zero.
func fletcher64(b []byte) uint64 {
	const mod = 0xffffffff
	var sum1, sum2 uint64
	// Sums stay below 2^64 for up to a few thousand words before the
	// modulo has to be taken; reduce every 1024 words.
	for len(b) >= 4 {
		n := min(len(b)/4, 1024)
		for i := 0; i < n; i++ {
			sum1 += uint64(binary.LittleEndian.Uint32(b[4*i:]))
			sum2 += sum1
		}
		sum1 %= mod
		sum2 %= mod
		b = b[4*n:]
	}
	c1 := mod - (sum1+sum2)%mod
	c2 := mod - (sum1+c1)%mod
	return c2<<32 | c1
}

// Checksum returns the Fletcher-64 checksum APFS stores in the first eight
// bytes (o_cksum) of an object whose bytes are obj: the checksum of
// obj[8:]. The length of obj must be a multiple of four.
func Checksum(obj []byte) uint64 {
	if len(obj) < 8 {
		return 0
	}
	return fletcher64(obj[8:])
}

// verifyChecksum reports whether the o_cksum stored in obj matches its
// contents.
func verifyChecksum(obj []byte) bool {
	return len(obj) >= 32 && binary.LittleEndian.Uint64(obj) == Checksum(obj)
}
