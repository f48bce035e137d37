package lzma

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/ulikunitz/xz"
)

// textLike returns n bytes of lines of hex numbers and words, the kind of
// data package payloads hold (compresses about 4:1).
func textLike(n int, seed uint64) []byte {
	words := []string{"Contents", "Resources", "Info.plist", "CodeSignature", "MacOS",
		"Frameworks", "lib", "share", "usr", "local", "bin", "include", "version", "strings",
		"English.lproj", "Localizable", "x86_64", "arm64", "dylib", "framework", "app"}
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "%08x %s/%s/%s %d\n", r.Uint32(), words[r.IntN(len(words))],
			words[r.IntN(len(words))], words[r.IntN(len(words))], r.IntN(100000))
	}
	return b.Bytes()[:n]
}

// randomBytes returns n incompressible bytes.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// repeats returns n bytes of short patterns repeated many times, for
// long overlapping matches.
func repeats(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, 0, n)
	for len(b) < n {
		pattern := randomBytes(1+r.IntN(7), r.Uint64())
		for k := r.IntN(2000); k > 0 && len(b) < n; k-- {
			b = append(b, pattern...)
		}
	}
	return b[:n]
}

// mixed alternates text, random bytes and zeros in blocks of a few
// hundred KiB, so LZMA2 switches between LZMA and stored chunks.
func mixed(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 4))
	b := make([]byte, 0, n)
	for len(b) < n {
		k := min(50000+r.IntN(300000), n-len(b))
		switch r.IntN(3) {
		case 0:
			b = append(b, textLike(k, r.Uint64())...)
		case 1:
			b = append(b, randomBytes(k, r.Uint64())...)
		default:
			b = append(b, make([]byte, k)...)
		}
	}
	return b
}

// compressUlikunitz compresses data with ulikunitz/xz.
func compressUlikunitz(t testing.TB, data []byte, cfg xz.WriterConfig) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := cfg.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeUlikunitz decodes src with ulikunitz/xz, reading at most limit+1
// bytes.
func decodeUlikunitz(src []byte, limit int) ([]byte, error) {
	r, err := xz.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(r, int64(limit)+1))
}

// mustDecode decodes src and compares the output with want.
func mustDecode(t *testing.T, src, want []byte) {
	t.Helper()
	got, err := Decode(nil, src, len(want))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Decode: output differs (%d bytes, want %d) from byte %d", len(got), len(want), firstDiff(got, want))
	}
}

// firstDiff returns the index of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
