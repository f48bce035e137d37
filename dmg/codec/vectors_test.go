package codec

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The plaintexts of the committed vectors are regenerated here, so only the
// compressed side lives in testdata; testdata/README.md says how each
// vector was made from them.

var words = strings.Fields(`the a notarized bundle signs code with hardened runtime and
entitlements apple disk image partition sector chunk block table resource fork
checksum stapled ticket developer identity certificate timestamp malformed
linter reports each finding of severity error warning info for archive installer
package framework library executable universal binary slice arm64 x86_64
compression decoder literal match distance state frequency table stream`)

// textBytes returns n bytes of deterministic English-like text.
func textBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6e6f746172796c69))
	var b strings.Builder
	for b.Len() < n {
		k := 4 + r.IntN(12)
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[r.IntN(len(words))])
		}
		b.WriteString(".\n")
	}
	return []byte(b.String()[:n])
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x72616e646f6d))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// mixedBytes returns n bytes alternating text runs and random runs (about
// one byte in eight random), with some long repeats.
func mixedBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6d69786564))
	out := make([]byte, 0, n)
	for len(out) < n {
		switch r.IntN(8) {
		case 0:
			out = append(out, randomBytes(r.Uint64(), 256+r.IntN(4096))...)
		case 1:
			if len(out) > 70000 { // a far repeat, past LZVN's 16-bit distances
				at := r.IntN(len(out) - 70000)
				out = append(out, out[at:at+500+r.IntN(3000)]...)
				break
			}
			fallthrough
		default:
			out = append(out, textBytes(r.Uint64(), 1000+r.IntN(8000))...)
		}
	}
	return out[:n]
}

// plaintexts maps each committed vector's name to its plaintext.
var plaintexts = map[string]func() []byte{
	"short":    func() []byte { return textBytes(1, 300) },
	"text4k":   func() []byte { return textBytes(2, 4000) },
	"mixed":    func() []byte { return mixedBytes(3, 256<<10) },
	"random":   func() []byte { return randomBytes(4, 16<<10) },
	"random3k": func() []byte { return randomBytes(6, 3000) },
	"zeros":    func() []byte { return make([]byte, 1<<20) },
	"text64k":  func() []byte { return textBytes(5, 64<<10) },
}

// TestWritePlaintexts writes the plaintexts to $CODEC_PLAINTEXT_DIR, the
// first step of regenerating the vectors (see testdata/README.md).
func TestWritePlaintexts(t *testing.T) {
	dir := os.Getenv("CODEC_PLAINTEXT_DIR")
	if dir == "" {
		t.Skip("CODEC_PLAINTEXT_DIR not set")
	}
	for name, gen := range plaintexts {
		if err := os.WriteFile(filepath.Join(dir, name), gen(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
