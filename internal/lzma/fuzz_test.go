package lzma

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ulikunitz/xz"
	ulzma "github.com/ulikunitz/xz/lzma"
)

// fuzzSeeds returns small streams of every kind, with small dictionaries
// so that ulikunitz/xz allocates little for them.
func fuzzSeeds(tb testing.TB) [][]byte {
	small := func(data []byte, cfg xz.WriterConfig) []byte {
		cfg.DictCap = 64 << 10
		return compressUlikunitz(tb, data, cfg)
	}
	text := small(textLike(2000, 30), xz.WriterConfig{})
	stored := small(randomBytes(500, 31), xz.WriterConfig{CheckSum: xz.CRC32})
	concatenated := append(append(bytes.Clone(text), 0, 0, 0, 0), stored...)
	return [][]byte{
		text,
		stored,
		concatenated,
		small(textLike(1500, 32), xz.WriterConfig{NoCheckSum: true, Properties: &ulzma.Properties{LC: 0, LP: 2, PB: 0}}),
		small(repeats(3000, 33), xz.WriterConfig{CheckSum: xz.SHA256, BlockSize: 700}),
		small(nil, xz.WriterConfig{}),
		xzStream(checkCRC64, newCrafted().lzma(0xE0, propsDefault, craftedOps).block(0)),
		xzStream(checkNone, newCrafted().stored(1, []byte("stored")).lzma(0xC0, propsLc4Pb4, literals("lzma")).block(0)),
	}
}

// decodeUlikunitzSmall decodes src with ulikunitz/xz, its dictionary no
// larger than the stream asks, reading at most limit+1 bytes.
func decodeUlikunitzSmall(src []byte, limit int) ([]byte, error) {
	r, err := xz.ReaderConfig{DictCap: ulzma.MinDictCap}.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(r, int64(limit)+1))
}

// FuzzDecode decodes arbitrary input with a small limit: it must not
// panic or hang, must honor the limit, and must agree with ulikunitz/xz
// whenever both accept the input.
func FuzzDecode(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const limit = 1 << 18
		got, err := Decode(nil, src, limit)
		if err != nil {
			if got != nil {
				t.Fatalf("output with error %v", err)
			}
			if errors.Is(err, ErrUnsupported) || errors.Is(err, errLimit) {
				return
			}
		} else if len(got) > limit {
			t.Fatalf("%d bytes decoded, limit %d", len(got), limit)
		}
		want, uerr := decodeUlikunitzSmall(src, limit)
		switch {
		case err == nil && uerr == nil:
			if !bytes.Equal(got, want) {
				t.Fatalf("output differs from ulikunitz/xz at byte %d (%d and %d bytes)", firstDiff(got, want), len(got), len(want))
			}
		case err == nil:
			t.Fatalf("decoded %d bytes; ulikunitz/xz: %v", len(got), uerr)
		}
		// Rejected here but not by ulikunitz/xz is no failure: it accepts
		// streams that xz -t rejects too (truncated after a block, lc+lp
		// above 4, a non-zero first range coder byte).

	})
}

// FuzzLZMA2 decodes arbitrary input as the LZMA2 data of a block, past the
// xz container's checksums, and compares with ulikunitz/xz's LZMA2 reader
// whenever both accept it.
func FuzzLZMA2(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		if h, err := parseBlockHeader(seed, streamHeaderSize); err == nil {
			f.Add(seed[streamHeaderSize+h.size:])
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const limit, dictSize = 1 << 18, 1 << 16
		out := newOutput(nil, limit)
		end, err := decodeLZMA2(new(lzmaDecoder), &out, src, 0, dictSize)
		if err != nil {
			return
		}
		if len(out.buf) > limit {
			t.Fatalf("%d bytes decoded, limit %d", len(out.buf), limit)
		}
		r, err := ulzma.Reader2Config{DictCap: dictSize}.NewReader2(bytes.NewReader(src[:end]))
		if err != nil {
			t.Fatal(err)
		}
		want, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err == nil && !bytes.Equal(out.buf, want) {
			t.Fatalf("output differs from ulikunitz/xz at byte %d (%d and %d bytes)", firstDiff(out.buf, want), len(out.buf), len(want))
		}
	})
}
