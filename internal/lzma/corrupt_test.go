package lzma

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ulikunitz/xz"
)

// corruptInput is a small valid input whose every byte matters: each
// stream has a check, so any change that alters the output is detected.
type corruptInput struct {
	src       []byte
	validCuts []int // prefixes that are whole inputs too
}

func corruptionInputs(t *testing.T) map[string]corruptInput {
	first := compressUlikunitz(t, textLike(3000, 20), xz.WriterConfig{CheckSum: xz.CRC32})
	two := append(append(bytes.Clone(first), 0, 0, 0, 0), compressUlikunitz(t, randomBytes(300, 21), xz.WriterConfig{CheckSum: xz.SHA256})...)
	return map[string]corruptInput{
		"text crc64":      {src: compressUlikunitz(t, textLike(6000, 19), xz.WriterConfig{})},
		"concatenated":    {src: two, validCuts: []int{len(first), len(first) + 4}},
		"repeats blocks":  {src: compressUlikunitz(t, repeats(8000, 22), xz.WriterConfig{CheckSum: xz.CRC32, BlockSize: 3000})},
		"crafted symbols": {src: newCrafted().lzma(0xE0, propsDefault, craftedOps).stream()},
	}
}

// craftedOps encodes literals and matches of every kind.
func craftedOps(e *testEncoder) {
	for i := range 200 {
		e.literal(byte(i % 13))
	}
	e.match(12, 40)
	e.rep(0, 1)
	e.match(150, 5)
	e.rep(1, 7)
	e.rep(2, 30)
	e.rep(3, 273)
}

// TestTruncated checks that every proper prefix of a stream fails.
func TestTruncated(t *testing.T) {
	for name, in := range corruptionInputs(t) {
		t.Run(name, func(t *testing.T) {
			src := in.src
			if _, err := Decode(nil, src, 1<<20); err != nil {
				t.Fatalf("intact: %v", err)
			}
			for n := range len(src) {
				if _, err := Decode(nil, src[:n], 1<<20); err == nil && !slices.Contains(in.validCuts, n) {
					t.Fatalf("prefix of %d of %d bytes decoded", n, len(src))
				}
			}
		})
	}
}

// TestByteFlips checks that changing any byte of a stream with checks
// fails or, where the change does not matter (an unused properties bit,
// say), decodes to the same data; and that changes to a stream without
// checks never panic or exceed the limit.
func TestByteFlips(t *testing.T) {
	for name, in := range corruptionInputs(t) {
		t.Run(name, func(t *testing.T) {
			src := in.src
			want, err := Decode(nil, src, 1<<20)
			if err != nil {
				t.Fatalf("intact: %v", err)
			}
			buf := bytes.Clone(src)
			harmless := 0
			for i := range buf {
				for _, mask := range []byte{0x01, 0x80, 0xFF} {
					buf[i] ^= mask
					if got, err := Decode(nil, buf, 1<<20); err == nil {
						if !bytes.Equal(got, want) {
							t.Fatalf("byte %#x ^ %#x: wrong output without an error", i, mask)
						}
						harmless++
					}
					buf[i] ^= mask
				}
			}
			if harmless > len(buf)*3/100 {
				t.Errorf("%d of %d changes decoded to the same data", harmless, 3*len(buf))
			}
		})
	}
	// Without a check, a change may decode to other data: it still must
	// not panic, and stays within the limit.
	data := textLike(5000, 23)
	src := compressUlikunitz(t, data, xz.WriterConfig{NoCheckSum: true})
	for i := range src {
		buf := bytes.Clone(src)
		buf[i] ^= 0x10
		if got, err := Decode(nil, buf, len(data)); err == nil && len(got) > len(data) {
			t.Fatalf("byte %#x: %d bytes, limit %d", i, len(got), len(data))
		}
	}
}
