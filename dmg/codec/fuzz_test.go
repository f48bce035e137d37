package codec

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ulikunitz/xz"
)

// fuzzDst bounds the output of every fuzz run.
const fuzzDst = 1 << 20

// checkFuzz checks what holds for any input: the count is within dst, and
// a failure is an *Error with an offset inside src (the xz package's own
// errors may point at the end of what it read).
func checkFuzz(t *testing.T, n int, err error, srcLen int) {
	if n < 0 || n > fuzzDst {
		t.Fatalf("count %d", n)
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(srcLen)+1 {
			t.Fatalf("error %v has no offset within %d bytes", err, srcLen)
		}
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrOverflow) {
			t.Fatalf("error %v has no kind", err)
		}
	}
}

func FuzzADC(f *testing.F) {
	for _, name := range []string{"short", "text4k", "random3k"} {
		src, _ := adcEncode(plaintexts[name]())
		f.Add(src)
	}
	f.Add([]byte{0x83, 0xfe, 0xed, 0xfa, 0xce, 0x00, 0x00, 0x40, 0x00, 0x06})
	dst := make([]byte, fuzzDst)
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := ADC(dst, src)
		checkFuzz(t, n, err, len(src))
		if err == nil {
			// Re-encoding what was decoded must round trip.
			enc, _ := adcEncode(dst[:n])
			m, err := ADC(make([]byte, n), enc)
			if err != nil || m != n {
				t.Fatalf("round trip: %d of %d, %v", m, n, err)
			}
		}
	})
}

func FuzzLZFSE(f *testing.F) {
	for _, v := range lzfseVectors {
		if src := readVector(f, v.file); len(src) < 20000 {
			f.Add(src)
		}
	}
	dst := make([]byte, fuzzDst)
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := LZFSE(dst, src)
		checkFuzz(t, n, err, len(src))
		if err == nil {
			// Decoding is deterministic, also into an exact-size dst.
			again := make([]byte, n)
			if m, err := LZFSE(again, src); err != nil || m != n || !bytes.Equal(again, dst[:n]) {
				t.Fatalf("exact-size decode: %d of %d, %v", m, n, err)
			}
		}
	})
}

func FuzzLZMA(f *testing.F) {
	f.Add(readVector(f, "text64k.xz"))
	f.Add(readVector(f, "short.lzma"))
	var buf bytes.Buffer
	w, _ := xz.WriterConfig{DictCap: 1 << 16, CheckSum: xz.CRC32}.NewWriter(&buf)
	w.Write(plaintexts["short"]())
	w.Close()
	f.Add(buf.Bytes())
	dst := make([]byte, fuzzDst)
	f.Fuzz(func(t *testing.T, src []byte) {
		n, err := LZMA(dst, bytes.NewReader(src))
		checkFuzz(t, n, err, len(src))
	})
}
