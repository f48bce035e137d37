package dmg

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// TestCRC32Combine checks the combination against the CRC of the whole,
// for lengths around powers of two and random splits.
func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 70000)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	for _, split := range []int{0, 1, 2, 3, 511, 512, 4096, 33333, 65536, 69999, 70000} {
		a, c := crc32.ChecksumIEEE(b[:split]), crc32.ChecksumIEEE(b[split:])
		if got, want := crc32Combine(a, c, int64(len(b)-split)), crc32.ChecksumIEEE(b); got != want {
			t.Errorf("split at %d: %08x, want %08x", split, got, want)
		}
	}
}

// TestZerosCRC checks the CRC of zeros against the CRC of the bytes.
func TestZerosCRC(t *testing.T) {
	for _, n := range []int64{0, 512, 1024, 1536, 512 * 7, 1 << 20, 1<<20 + 512} {
		if got, want := zerosCRC(n), crc32.ChecksumIEEE(make([]byte, n)); got != want {
			t.Errorf("%d zeros: %08x, want %08x", n, got, want)
		}
	}
}

// BenchmarkCRC32Combine measures one combination (once per chunk).
func BenchmarkCRC32Combine(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		crc32Combine(uint32(i), 0x12345678, 1<<20+int64(i&1023)*512)
	}
}
