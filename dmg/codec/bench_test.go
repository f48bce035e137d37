package codec

import (
	"testing"

	"github.com/ulikunitz/xz"
)

// The benchmarks decode the mixed vector (256 KiB of text with random
// runs); MB/s counts decoded bytes.

func BenchmarkLZFSE(b *testing.B) {
	src, plain := readVector(b, "mixed.lzfse"), plaintexts["mixed"]()
	dst := make([]byte, len(plain))
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LZFSE(dst, src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkADC(b *testing.B) {
	plain := plaintexts["mixed"]()
	src, _ := adcEncode(plain)
	dst := make([]byte, len(plain))
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ADC(dst, src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLZMA(b *testing.B) {
	plain := plaintexts["mixed"]()
	src := xzEncode(b, plain, xz.WriterConfig{})
	dst := make([]byte, len(plain))
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lzmaBytes(dst, src); err != nil {
			b.Fatal(err)
		}
	}
}
