package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// anchors are the magic numbers of the structures notarylint parses: field
// mutations prefer the bytes just after them, where lengths, offsets and
// counts are.
var anchors = [][]byte{
	{0xfe, 0xed, 0xfa, 0xcf}, {0xcf, 0xfa, 0xed, 0xfe}, {0xca, 0xfe, 0xba, 0xbe}, // Mach-O
	{0xfa, 0xde, 0x0c, 0xc0}, {0xfa, 0xde, 0x0c, 0x02}, {0xfa, 0xde, 0x0b, 0x01}, {0xfa, 0xde, 0x71, 0x71}, // signature blobs
	{0x30, 0x80}, {0x30, 0x82}, // CMS, certificates
	[]byte("PK\x03\x04"), []byte("PK\x01\x02"), []byte("PK\x05\x06"), []byte("PK\x06\x06"), // zip
	[]byte("xar!"), []byte("BOMStore"), []byte("070707"), []byte("pbzx"), []byte("ustar"), {0x1f, 0x8b}, // pkg, tar, gzip
	[]byte("koly"), []byte("mish"), []byte("EFI PART"), []byte("PM\x00\x00"), []byte("H+\x00\x04"), []byte("NXSB"), []byte("APSB"), // dmg
	[]byte("<key>"), []byte("<plist"), // property lists
}

// interesting are values that break length, offset and count checks.
var interesting = []uint64{0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 1 << 32, 1<<63 - 1, 1 << 63, 1<<64 - 1}

// Mutation is one change to a sample.
type Mutation struct {
	Kind string
	Data []byte
}

// Mutate returns a structured mutation of data: bit flips, a truncation, a
// length/offset/count field (near a structure's magic, half the time) set
// to an interesting value in either byte order, two regions swapped, a
// region duplicated, or a region zeroed. data is not changed.
func Mutate(data []byte, rng *rand.Rand) Mutation {
	b := append([]byte(nil), data...)
	if len(b) == 0 {
		return Mutation{"empty", b}
	}
	switch rng.IntN(6) {
	case 0:
		n := 1 + rng.IntN(8)
		for range n {
			i := rng.IntN(len(b))
			b[i] ^= 1 << rng.IntN(8)
		}
		return Mutation{fmt.Sprintf("flip %d bits", n), b}
	case 1:
		cut := rng.IntN(len(b))
		if rng.IntN(2) == 0 { // near the end, where trailers are
			cut = len(b) - 1 - rng.IntN(min(len(b), 4096))
		}
		return Mutation{fmt.Sprintf("truncate at %#x", cut), b[:cut]}
	case 2:
		at := fieldOffset(b, rng)
		v := interesting[rng.IntN(len(interesting))]
		if rng.IntN(3) == 0 {
			v = uint64(len(data)) + uint64(rng.IntN(3)) - 1
		}
		width := []int{2, 4, 8}[rng.IntN(3)]
		if at+width > len(b) {
			at = len(b) - width
		}
		if at < 0 {
			return Mutation{"too short", b}
		}
		var order binary.ByteOrder = binary.BigEndian
		if rng.IntN(2) == 0 {
			order = binary.LittleEndian
		}
		switch width {
		case 2:
			order.PutUint16(b[at:], uint16(v))
		case 4:
			order.PutUint32(b[at:], uint32(v))
		default:
			order.PutUint64(b[at:], v)
		}
		return Mutation{fmt.Sprintf("field at %#x = %#x (%d bytes, %s)", at, v, width, order), b}
	case 3:
		n := 1 + rng.IntN(min(len(b)/2+1, 4096))
		i, j := rng.IntN(len(b)-n+1), rng.IntN(len(b)-n+1)
		tmp := append([]byte(nil), b[i:i+n]...)
		copy(b[i:i+n], b[j:j+n])
		copy(b[j:j+n], tmp)
		return Mutation{fmt.Sprintf("swap %d bytes at %#x and %#x", n, i, j), b}
	case 4:
		n := 1 + rng.IntN(min(len(b), 4096))
		i := rng.IntN(len(b) - n + 1)
		at := rng.IntN(len(b) + 1)
		out := append(append(append([]byte(nil), b[:at]...), b[i:i+n]...), b[at:]...)
		return Mutation{fmt.Sprintf("duplicate %d bytes from %#x at %#x", n, i, at), out}
	default:
		n := 1 + rng.IntN(min(len(b), 512))
		i := rng.IntN(len(b) - n + 1)
		clear(b[i : i+n])
		return Mutation{fmt.Sprintf("zero %d bytes at %#x", n, i), b}
	}
}

// fieldOffset picks where a field mutation goes: within 64 bytes after a
// structure's magic half the time, anywhere otherwise.
func fieldOffset(b []byte, rng *rand.Rand) int {
	if rng.IntN(2) == 0 {
		m := anchors[rng.IntN(len(anchors))]
		var hits []int
		for i := 0; len(hits) < 64; {
			k := bytes.Index(b[i:], m)
			if k < 0 {
				break
			}
			hits = append(hits, i+k)
			i += k + 1
		}
		if len(hits) > 0 {
			return hits[rng.IntN(len(hits))] + len(m) + rng.IntN(64)
		}
	}
	return rng.IntN(len(b))
}
