package hfs

import (
	"strings"
	"unicode"
	"unicode/utf16"
)

// caseFold returns the key Apple's FastUnicodeCompare gives the UTF-16 unit
// c, 0 for a unit it ignores. It approximates xnu's gLowerCaseTable: NUL
// sorts last (0xFFFF); the zero-width joiners and direction marks
// U+200C–U+200F, U+202A–U+202E, U+206A–U+206F and U+FEFF are ignored; the
// letters of the pages the table covers (Latin-1, Latin Extended, Greek,
// Cyrillic, Armenian, Georgian) are lowered with Unicode's simple lower
// case mapping when it stays on the same page, the Roman numerals
// U+2160–U+216F and the full-width Latin capitals likewise; anything else
// is compared as is. Apple's table predates some of Unicode's mappings, so
// a name differing from another only by such a letter may sort
// differently: lookups fall back to a scan of the directory then.
func caseFold(c uint16) uint16 {
	switch {
	case c == 0:
		return 0xFFFF
	case c < 0x80:
		if 'A' <= c && c <= 'Z' {
			return c + 0x20
		}
		return c
	case 0x200C <= c && c <= 0x200F, 0x202A <= c && c <= 0x202E,
		0x206A <= c && c <= 0x206F, c == 0xFEFF:
		return 0
	case 0x2160 <= c && c <= 0x216F:
		return c + 0x10
	case 0xFF21 <= c && c <= 0xFF3A:
		return c + 0x20
	}
	switch c >> 8 {
	case 0x00, 0x01, 0x03, 0x04, 0x05, 0x10:
		if l := unicode.ToLower(rune(c)); l>>8 == rune(c>>8) {
			return uint16(l)
		}
	}
	return c
}

// compareFold orders a and b as FastUnicodeCompare does.
func compareFold(a, b []uint16) int {
	i, j := 0, 0
	for {
		var c1, c2 uint16
		for c1 == 0 && i < len(a) {
			c1 = caseFold(a[i])
			i++
		}
		for c2 == 0 && j < len(b) {
			c2 = caseFold(b[j])
			j++
		}
		if c1 != c2 {
			if c1 < c2 {
				return -1
			}
			return 1
		}
		if c1 == 0 {
			return 0
		}
	}
}

// compareBinary orders a and b unit by unit, a prefix first, as HFSX's
// binary compare and the attributes B-tree do.
func compareBinary(a, b []uint16) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// swapColon exchanges ':' and '/', as macOS does between a POSIX name and
// the name HFS+ stores.
func swapColon(s string) string {
	if !strings.ContainsAny(s, ":/") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ':':
			return '/'
		case '/':
			return ':'
		}
		return r
	}, s)
}

// decodeName returns the POSIX name of a stored UTF-16 name. Unpaired
// surrogates become U+FFFD.
func decodeName(u []uint16) string {
	return swapColon(string(utf16.Decode(u)))
}

// encodeName returns the stored UTF-16 form of a POSIX name.
func encodeName(s string) []uint16 {
	return utf16.Encode([]rune(swapColon(s)))
}

// units reads n big-endian UTF-16 units from b, which must hold them.
func units(b []byte, n int) []uint16 {
	u := make([]uint16, n)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return u
}
