package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readVector returns a committed compressed vector.
func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lzfseVectors are the committed LZFSE vectors, their plaintexts and the
// blocks the reference encoder made of them.
var lzfseVectors = []struct {
	file, plain, blocks string
}{
	{"short.lzfse", "short", "bvxn"},
	{"text4k.lzfse", "text4k", "bvxn"},
	{"random3k.lzfse", "random3k", "bvx-"},
	{"random.lzfse", "random", "bvx2"},
	{"zeros.lzfse", "zeros", "bvx2"},
	{"mixed.lzfse", "mixed", "bvx2 bvx2 bvx2"},
}

// lzfseSplit cuts an LZFSE stream into its blocks (without the end block),
// each with its magic.
func lzfseSplit(t testing.TB, src []byte) (blocks [][]byte, magics []string) {
	t.Helper()
	s := 0
	for {
		magic := binary.LittleEndian.Uint32(src[s:])
		var n int
		switch magic {
		case lzfseEndMagic:
			if s+4 != len(src) {
				t.Fatalf("%d bytes after the end block", len(src)-s-4)
			}
			return blocks, magics
		case lzfseRawMagic:
			n = 8 + int(binary.LittleEndian.Uint32(src[s+4:]))
		case lzfseLZVNMagic:
			n = 12 + int(binary.LittleEndian.Uint32(src[s+8:]))
		case lzfseV2Magic:
			var h lzfseHeader
			size, err := readV2Header(&h, src, s)
			if err != nil {
				t.Fatal(err)
			}
			n = size + h.nLitPayload + h.nLMDPayload
		default:
			t.Fatalf("magic %#x at %d", magic, s)
		}
		blocks = append(blocks, src[s:s+n])
		magics = append(magics, string(src[s:s+4]))
		s += n
	}
}

func TestLZFSEVectors(t *testing.T) {
	for _, v := range lzfseVectors {
		t.Run(v.file, func(t *testing.T) {
			src, plain := readVector(t, v.file), plaintexts[v.plain]()
			if _, magics := lzfseSplit(t, src); strings.Join(magics, " ") != v.blocks {
				t.Errorf("blocks %v, want %s", magics, v.blocks)
			}
			dst := make([]byte, len(plain)+100)
			n, err := LZFSE(dst, src)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(plain) || !bytes.Equal(dst[:n], plain) {
				t.Fatalf("decoded %d bytes, want %d, equal %v", n, len(plain), bytes.Equal(dst[:min(n, len(plain))], plain[:min(n, len(plain))]))
			}
			n, err = LZFSE(dst[:len(plain)], src)
			if err != nil || n != len(plain) {
				t.Fatalf("exact dst: %d, %v", n, err)
			}
			if _, err := LZFSE(dst[:len(plain)-1], src); !errors.Is(err, ErrOverflow) {
				t.Fatalf("dst one byte short: %v, want ErrOverflow", err)
			}
		})
	}
}

// v2ToV1 rewrites a 'bvx2' block with the equivalent 'bvx1' header.
func v2ToV1(t testing.TB, blk []byte) []byte {
	t.Helper()
	var h lzfseHeader
	size, err := readV2Header(&h, blk, 0)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	v1 := make([]byte, lzfseV1Size)
	le.PutUint32(v1, lzfseV1Magic)
	for i, f := range []int{h.nRaw, h.nLitPayload + h.nLMDPayload, h.nLiterals, h.nMatches, h.nLitPayload, h.nLMDPayload, h.literalBits} {
		le.PutUint32(v1[4+4*i:], uint32(f))
	}
	for i, st := range h.litState {
		le.PutUint16(v1[32+2*i:], st)
	}
	le.PutUint32(v1[40:], uint32(int32(h.lmdBits)))
	le.PutUint16(v1[44:], h.lState)
	le.PutUint16(v1[46:], h.mState)
	le.PutUint16(v1[48:], h.dState)
	for i, f := range h.freq {
		le.PutUint16(v1[50+2*i:], f)
	}
	return append(v1, blk[size:]...)
}

// TestLZFSESpliced decodes streams assembled from the reference encoder's
// blocks: every block type in one stream, and the bvx2 blocks rewritten
// with v1 headers.
func TestLZFSESpliced(t *testing.T) {
	var stream, want []byte
	for _, name := range []string{"short", "random3k", "mixed", "text4k", "zeros", "random"} {
		blocks, _ := lzfseSplit(t, readVector(t, name+".lzfse"))
		for _, b := range blocks {
			stream = append(stream, b...)
		}
		want = append(want, plaintexts[name]()...)
	}
	stream = binary.LittleEndian.AppendUint32(stream, lzfseEndMagic)
	stream = append(stream, "trailing bytes are ignored"...)
	dst := make([]byte, len(want))
	n, err := LZFSE(dst, stream)
	if err != nil || n != len(want) || !bytes.Equal(dst, want) {
		t.Fatalf("all block types: %d of %d bytes, %v", n, len(want), err)
	}

	for _, name := range []string{"mixed", "zeros", "random"} {
		blocks, _ := lzfseSplit(t, readVector(t, name+".lzfse"))
		var v1 []byte
		for _, b := range blocks {
			v1 = append(v1, v2ToV1(t, b)...)
		}
		v1 = binary.LittleEndian.AppendUint32(v1, lzfseEndMagic)
		plain := plaintexts[name]()
		dst := make([]byte, len(plain))
		n, err := LZFSE(dst, v1)
		if err != nil || n != len(plain) || !bytes.Equal(dst, plain) {
			t.Fatalf("%s as bvx1: %d of %d bytes, %v", name, n, len(plain), err)
		}
	}
}

// damage checks that truncated and byte-flipped copies of src never make
// decode panic. With endMarked (LZFSE, xz: streams with an end marker and
// sizes), truncations must fail and flips must fail or give the full size
// bytes. ADC has neither: a cut at an opcode boundary or a flipped opcode
// can decode to a short output without error, which the caller sees from
// the count (and UDIF's CRC32 from the content).
func damage(t *testing.T, src []byte, size int, endMarked bool, decode func(dst, src []byte) (int, error)) {
	t.Helper()
	dst := make([]byte, size)
	cuts := []int{0, 1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 31, 32, 33, len(src) / 3, len(src) / 2, len(src) - 9, len(src) - 5, len(src) - 4, len(src) - 1}
	for _, c := range cuts {
		if c < 0 || c >= len(src) {
			continue
		}
		n, err := decode(dst, src[:c])
		if err == nil && (endMarked || n == size) {
			t.Errorf("truncated to %d bytes: %d bytes, no error", c, n)
		}
	}
	bad := make([]byte, len(src))
	step := max(1, len(src)/300)
	for i := 0; i < len(src); i += step {
		for _, x := range []byte{0x01, 0x80, 0xff} {
			copy(bad, src)
			bad[i] ^= x
			n, err := decode(dst, bad)
			if err == nil && (n > size || endMarked && n != size) {
				t.Errorf("byte %d ^ %#x: %d bytes, want an error or %d", i, x, n, size)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(len(src)) {
					t.Errorf("byte %d ^ %#x: error %v has no offset in range", i, x, err)
				}
			}
		}
	}
}

func TestLZFSEDamage(t *testing.T) {
	for _, v := range lzfseVectors {
		t.Run(v.file, func(t *testing.T) {
			damage(t, readVector(t, v.file), len(plaintexts[v.plain]()), true, LZFSE)
		})
	}
}

func TestLZFSEErrors(t *testing.T) {
	le := binary.LittleEndian
	raw := func(n uint32, payload string) []byte {
		b := le.AppendUint32(nil, lzfseRawMagic)
		b = le.AppendUint32(b, n)
		return append(b, payload...)
	}
	end := le.AppendUint32(nil, lzfseEndMagic)
	for _, c := range []struct {
		name string
		src  []byte
		kind error
		off  int64
	}{
		{"empty", nil, ErrTruncated, 0},
		{"no end block", raw(3, "abc"), ErrTruncated, 11},
		{"bad magic", append(raw(3, "abc"), "bvx?"...), ErrCorrupt, 11},
		{"raw too long", raw(10, "abc"), ErrTruncated, 0},
		{"raw overflow", append(raw(17, "0123456789abcdefg"), end...), ErrOverflow, 0},
		{"lzvn huge payload", append(le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, lzfseLZVNMagic), 4), 0xffffffff), end...), ErrTruncated, 0},
		{"lzvn distance 0", append(le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, lzfseLZVNMagic), 3), 10), 0x00, 0x00, 6, 0, 0, 0, 0, 0, 0, 0), ErrCorrupt, 12},
		{"lzvn undefined op", append(le.AppendUint32(le.AppendUint32(le.AppendUint32(nil, lzfseLZVNMagic), 3), 9), 0x1e, 6, 0, 0, 0, 0, 0, 0, 0), ErrCorrupt, 12},
		{"v2 short header size", append(le.AppendUint32(nil, lzfseV2Magic), make([]byte, 28)...), ErrCorrupt, 24},
	} {
		dst := make([]byte, 16)
		_, err := LZFSE(dst, c.src)
		var e *Error
		if !errors.Is(err, c.kind) || !errors.As(err, &e) || e.Offset != c.off {
			t.Errorf("%s: %v, want %v at offset %d", c.name, err, c.kind, c.off)
		}
	}
}

// TestLZVNOpcodes decodes a hand-written LZVN block that uses every
// opcode kind, checked against the layout in lzvn_decode_base.c.
func TestLZVNOpcodes(t *testing.T) {
	payload := []byte{
		0xe4, 'a', 'b', 'c', 'd', // sml_l: 4 literal bytes
		0xe0, 0x00, // lrg_l: 16+0 literal bytes
		'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F',
		0x0e,            // nop
		0x48, 0x15, 'x', // sml_d 01 001 000: L=1, M=1+3, D=0x015
		0xa9, 0x0e, 0x00, 'y', // med_d 101 01 001: L=1, M=(1<<2|2)+3, D=0x000e>>2
		0xf3,      // sml_m: M=3 at the previous D
		0x4e, 'z', // pre_d 01 001 110: L=1, M=4 at the previous D
		0x0f, 0x1e, 0x00, // lrg_d 00 001 111: L=0, M=4, D=0x001e
		0xf0, 0x02, // lrg_m: M=16+2 at the previous D
		0x06, 0, 0, 0, 0, 0, 0, 0, // end of stream
	}
	// The same, executed naively.
	var want []byte
	match := func(d, m int) {
		for i := 0; i < m; i++ {
			want = append(want, want[len(want)-d])
		}
	}
	want = append(want, "abcd0123456789ABCDEF"...)
	want = append(want, 'x')
	match(21, 4)
	want = append(want, 'y')
	match(3, 9)
	match(3, 3)
	want = append(want, 'z')
	match(3, 4)
	match(30, 4)
	match(30, 18)
	if got := string(want[:25]) + "|" + string(want[25:35]); got != "abcd0123456789ABCDEFxabcd|ycdycdycdy" {
		t.Fatalf("test is wrong: %q", got)
	}
	le := binary.LittleEndian
	src := le.AppendUint32(nil, lzfseLZVNMagic)
	src = le.AppendUint32(src, uint32(len(want)))
	src = le.AppendUint32(src, uint32(len(payload)))
	src = append(src, payload...)
	src = le.AppendUint32(src, lzfseEndMagic)
	dst := make([]byte, len(want))
	n, err := LZFSE(dst, src)
	if err != nil || !bytes.Equal(dst[:n], want) {
		t.Fatalf("got %q, %v\nwant %q", dst[:n], err, want)
	}
	damage(t, src, len(want), true, LZFSE)
}
