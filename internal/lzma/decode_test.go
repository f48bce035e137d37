package lzma

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/ulikunitz/xz"
	ulzma "github.com/ulikunitz/xz/lzma"
)

// TestDecodeUlikunitz decodes streams written by ulikunitz/xz with varied
// data, dictionary sizes, checks, properties and block sizes.
func TestDecodeUlikunitz(t *testing.T) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte{'x'}},
		{"text 100K", textLike(100_000, 1)},
		{"text 3M", textLike(3<<20, 2)},
		{"random 200K", randomBytes(200_000, 3)},
		{"zeros 5M", make([]byte, 5<<20)},
		{"repeats 1M", repeats(1<<20, 4)},
		{"mixed 3M", mixed(3<<20, 5)},
	}
	configs := []struct {
		name string
		cfg  xz.WriterConfig
	}{
		{"default", xz.WriterConfig{}},
		{"crc32 dict64K", xz.WriterConfig{CheckSum: xz.CRC32, DictCap: 64 << 10}},
		{"sha256 dict1M", xz.WriterConfig{CheckSum: xz.SHA256, DictCap: 1 << 20}},
		{"none lc0 lp2 pb0", xz.WriterConfig{NoCheckSum: true, Properties: &ulzma.Properties{LC: 0, LP: 2, PB: 0}}},
		{"crc64 lc4 pb4 blocks", xz.WriterConfig{CheckSum: xz.CRC64, Properties: &ulzma.Properties{LC: 4, LP: 0, PB: 4}, BlockSize: 300_000}},
	}
	for _, in := range inputs {
		for _, c := range configs {
			t.Run(in.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				if testing.Short() && len(in.data) > 1<<20 && c.name != "default" {
					t.Skip("large input in short mode")
				}
				mustDecode(t, compressUlikunitz(t, in.data, c.cfg), in.data)
			})
		}
	}
}

// TestDecodeAppends checks that Decode appends to dst and uses its
// capacity when it fits.
func TestDecodeAppends(t *testing.T) {
	data := textLike(300_000, 7)
	src := compressUlikunitz(t, data, xz.WriterConfig{})
	dst := make([]byte, 3, 3+len(data))
	copy(dst, "abc")
	got, err := Decode(dst, src, len(data))
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &dst[0] {
		t.Error("Decode reallocated a dst with enough capacity")
	}
	if string(got[:3]) != "abc" || !bytes.Equal(got[3:], data) {
		t.Error("Decode did not append the output to dst")
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := Decode(dst, src, len(data)); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 3 {
		t.Errorf("Decode into a large enough dst: %v allocations, want at most 3", allocs)
	}
}

// TestDecodeLimit checks that output beyond the limit fails, before it is
// allocated, and that output up to the limit succeeds.
func TestDecodeLimit(t *testing.T) {
	data := textLike(1<<20, 8)
	for _, bs := range []int64{0, 100_000} {
		src := compressUlikunitz(t, data, xz.WriterConfig{BlockSize: bs})
		t.Run(fmt.Sprint("block size ", bs), func(t *testing.T) {
			if _, err := Decode(nil, src, len(data)); err != nil {
				t.Fatalf("limit = size: %v", err)
			}
			for _, limit := range []int{-1, 0, 1, 1000, len(data) - 1} {
				got, err := Decode(nil, src, limit)
				if !errors.Is(err, errLimit) {
					t.Errorf("limit %d: got %v, want the limit error", limit, err)
				}
				if got != nil {
					t.Errorf("limit %d: got output with the error", limit)
				}
			}
		})
	}
	empty := compressUlikunitz(t, nil, xz.WriterConfig{})
	if got, err := Decode(nil, empty, 0); err != nil || len(got) != 0 {
		t.Errorf("empty stream, limit 0: %q, %v", got, err)
	}
}

// TestDecodeConcatenated decodes streams back to back with stream padding.
func TestDecodeConcatenated(t *testing.T) {
	a, b := textLike(70_000, 9), randomBytes(5000, 10)
	sa := compressUlikunitz(t, a, xz.WriterConfig{})
	sb := compressUlikunitz(t, b, xz.WriterConfig{CheckSum: xz.SHA256})
	want := append(append([]byte{}, a...), b...)
	var src []byte
	src = append(src, sa...)
	src = append(src, make([]byte, 8)...)
	src = append(src, sb...)
	src = append(src, make([]byte, 4)...)
	mustDecode(t, src, want)

	for _, bad := range [][]byte{
		append(append(append([]byte{}, sa...), 0, 0, 0), sb...), // padding of 3
		append(append([]byte{}, sa...), 0, 0),                   // trailing padding of 2
		append(append([]byte{}, sa...), 'x', 0, 0, 0),           // garbage
		append(make([]byte, 4), sa...),                          // padding first
	} {
		if _, err := Decode(nil, bad, len(want)); err == nil {
			t.Errorf("bad padding accepted (%d bytes)", len(bad))
		}
	}
}
