package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"runtime"
	"testing"

	"github.com/ulikunitz/xz"
)

// xzEncode compresses plain into an .xz stream with the xz package.
func xzEncode(t testing.TB, plain []byte, cfg xz.WriterConfig) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lzmaBytes adapts LZMA to the []byte decoders' signature.
func lzmaBytes(dst, src []byte) (int, error) { return LZMA(dst, bytes.NewReader(src)) }

func TestLZMARoundTrip(t *testing.T) {
	for _, name := range []string{"short", "mixed", "random", "zeros"} {
		for _, cfg := range []xz.WriterConfig{
			{}, // 8 MiB dictionary, CRC64
			{DictCap: 1 << 16, CheckSum: xz.CRC32},
			{CheckSum: xz.SHA256, BlockSize: 40000}, // several blocks
			{CheckSum: xz.None},
		} {
			plain := plaintexts[name]()
			src := xzEncode(t, plain, cfg)
			dst := make([]byte, len(plain))
			n, err := lzmaBytes(dst, src)
			if err != nil || n != len(plain) || !bytes.Equal(dst, plain) {
				t.Fatalf("%s %+v: %d of %d bytes, %v", name, cfg, n, len(plain), err)
			}
			if _, err := lzmaBytes(dst[:len(plain)-1], src); !errors.Is(err, ErrOverflow) {
				t.Fatalf("%s %+v: dst one short: %v, want ErrOverflow", name, cfg, err)
			}
			big := make([]byte, len(plain)+10)
			if n, err := lzmaBytes(big, src); err != nil || n != len(plain) {
				t.Fatalf("%s %+v: larger dst: %d, %v", name, cfg, n, err)
			}
		}
	}
}

// TestLZMAXZTool decodes a stream made by the xz command-line tool, and
// checks that an .lzma ("alone") file, which is not what UDIF stores, is
// rejected.
func TestLZMAXZTool(t *testing.T) {
	plain := plaintexts["text64k"]()
	src := readVector(t, "text64k.xz")
	dst := make([]byte, len(plain))
	n, err := lzmaBytes(dst, src)
	if err != nil || n != len(plain) || !bytes.Equal(dst, plain) {
		t.Fatalf("%d of %d bytes, %v", n, len(plain), err)
	}
	damage(t, src, len(plain), true, lzmaBytes)

	if _, err := lzmaBytes(make([]byte, 300), readVector(t, "short.lzma")); !errors.Is(err, ErrCorrupt) {
		t.Fatalf(".lzma file: %v, want ErrCorrupt", err)
	}
}

func TestLZMAErrors(t *testing.T) {
	plain := plaintexts["short"]()
	src := xzEncode(t, plain, xz.WriterConfig{})
	dst := make([]byte, len(plain))
	if _, err := lzmaBytes(dst, append(bytes.Clone(src), 0, 0, 0, 0)); err == nil {
		t.Error("data after the stream: no error")
	}
	if _, err := lzmaBytes(dst, append(bytes.Clone(src), src...)); err == nil {
		t.Error("two streams: no error")
	}
	if _, err := lzmaBytes(dst, nil); !errors.Is(err, ErrTruncated) {
		t.Errorf("empty: %v, want ErrTruncated", err)
	}
	// A chunk far larger than any stream for dst is refused unread.
	if _, err := LZMA(make([]byte, 10), bytes.NewReader(make([]byte, 1<<20))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("oversized input: %v", err)
	}
	damage(t, src, len(plain), true, lzmaBytes)
}

// TestLZMADictCap declares a 4 GiB dictionary in a valid stream and checks
// that decoding it neither fails nor allocates anything like that.
func TestLZMADictCap(t *testing.T) {
	plain := plaintexts["mixed"]()
	src := xzEncode(t, plain, xz.WriterConfig{DictCap: 1 << 16})
	// The first block header follows the 12-byte stream header: size byte,
	// flags, then the LZMA2 filter (0x21, 1, dictionary code).
	h := src[12 : 12+(int(src[12])+1)*4]
	if h[1] != 0 || h[2] != 0x21 || h[3] != 1 {
		t.Fatalf("unexpected block header % x", h)
	}
	h[4] = 40 // 4 GiB - 1
	binary.LittleEndian.PutUint32(h[len(h)-4:], crc32.ChecksumIEEE(h[:len(h)-4]))

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	dst := make([]byte, len(plain))
	n, err := lzmaBytes(dst, src)
	runtime.ReadMemStats(&after)
	if err != nil || !bytes.Equal(dst[:n], plain) {
		t.Fatalf("%d bytes, %v", n, err)
	}
	if a := after.TotalAlloc - before.TotalAlloc; a > 32<<20 {
		t.Fatalf("allocated %d bytes", a)
	}
	if h[4] != 40 {
		t.Fatal("the caller's bytes were changed")
	}
}
