package lzma

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/ulikunitz/xz"
)

// compressPreset6 compresses data with xz -6 when the command exists, as
// Apple's pbzx chunks are, and else with ulikunitz/xz and xz -6's
// dictionary size.
func compressPreset6(b *testing.B, data []byte) []byte {
	if path, err := exec.LookPath("xz"); err == nil {
		cmd := exec.Command(path, "-6", "-c")
		cmd.Stdin = bytes.NewReader(data)
		if out, err := cmd.Output(); err == nil {
			return out
		}
	}
	return compressUlikunitz(b, data, xz.WriterConfig{DictCap: 8 << 20})
}

// BenchmarkDecode decodes 8 MiB of text-like data compressed at preset 6,
// with this package and with ulikunitz/xz; MB/s are of decoded bytes.
func BenchmarkDecode(b *testing.B) {
	data := textLike(8<<20, 42)
	src := compressPreset6(b, data)
	b.Run("lzma", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		dst := make([]byte, 0, len(data))
		for b.Loop() {
			out, err := Decode(dst, src, len(data))
			if err != nil || len(out) != len(data) {
				b.Fatal(err)
			}
		}
	})
	b.Run("ulikunitz", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var out bytes.Buffer
		out.Grow(len(data))
		for b.Loop() {
			out.Reset()
			r, err := xz.NewReader(bytes.NewReader(src))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := out.ReadFrom(r); err != nil || out.Len() != len(data) {
				b.Fatal(err)
			}
		}
	})
}
