package lzma

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Properties bytes, (pb*5+lp)*9+lc.
const (
	propsDefault = (2*5+0)*9 + 3 // lc=3 lp=0 pb=2
	propsLp2     = (0*5+2)*9 + 0 // lc=0 lp=2 pb=0
	propsLc4Pb4  = (4*5+0)*9 + 4 // lc=4 lp=0 pb=4
)

// crafted builds LZMA2 data chunk by chunk with testEncoder, keeping the
// output it should decode to.
type crafted struct {
	e     *testEncoder
	lzma2 []byte
	want  []byte
}

func newCrafted() *crafted { return &crafted{e: newTestEncoder(propsDefault)} }

// lzma adds an LZMA chunk with the given control (reset level) whose
// content ops encodes.
func (c *crafted) lzma(control, props byte, ops func(e *testEncoder)) *crafted {
	return c.lzmaSized(control, props, ops, 0)
}

// lzmaSized is lzma with the unpacked size in the chunk header off by
// sizeError.
func (c *crafted) lzmaSized(control, props byte, ops func(e *testEncoder), sizeError int) *crafted {
	if control >= controlLZMADictionaryReset {
		c.e.data = nil
	}
	if control >= controlLZMAProperties {
		if err := c.e.m.setProperties(props); err != nil {
			panic(err)
		}
	}
	if control >= controlLZMAStateReset {
		c.e.m.resetState()
	}
	start := len(c.e.data)
	ops(c.e)
	out := c.e.data[start:]
	c.lzma2 = append(c.lzma2, lzmaChunk(control, len(out)+sizeError, props, c.e.endChunk())...)
	c.want = append(c.want, out...)
	return c
}

// stored adds a stored chunk (control 1 or 2).
func (c *crafted) stored(control byte, data []byte) *crafted {
	if control == controlUncompressedReset {
		c.e.data = nil
	}
	c.e.data = append(c.e.data, data...)
	c.lzma2 = append(c.lzma2, storedChunk(control, data)...)
	c.want = append(c.want, data...)
	return c
}

// raw adds bytes as they are.
func (c *crafted) raw(b ...byte) *crafted {
	c.lzma2 = append(c.lzma2, b...)
	return c
}

// stream ends the LZMA2 data and wraps it in an xz stream with a CRC32
// check and an 8 MiB dictionary.
func (c *crafted) stream() []byte {
	return xzStream(checkCRC32, c.block(22))
}

func (c *crafted) block(dictProp byte) xzBlock {
	return xzBlock{lzma2: append(bytes.Clone(c.lzma2), controlEnd), output: c.want, dictProp: dictProp}
}

func literals(s string) func(e *testEncoder) {
	return func(e *testEncoder) {
		for i := range len(s) {
			e.literal(s[i])
		}
	}
}

// TestCraftedValid decodes every kind of symbol and chunk.
func TestCraftedValid(t *testing.T) {
	c := newCrafted().
		lzma(controlLZMADictionaryReset, propsDefault, func(e *testEncoder) {
			for _, b := range []byte("abcdefgh0123") {
				e.literal(b)
			}
			e.match(11, 4)   // abcd
			e.literal('X')   // matched literal
			e.match(0, 273)  // X * 273, overlapping
			e.match(2, 17)   // XXX..., mid length
			e.literal('y')   //
			e.rep(0, 1)      // short rep: X
			e.rep(1, 2)      // rep1
			e.match(300, 20) // slot with special bits
			e.match(200, 9)
			e.rep(2, 5)
			e.rep(3, 6)
			e.rep(3, 273) // long rep, high length tree
			e.literal('z')
		}).
		lzma(controlLZMA, 0, func(e *testEncoder) { // continues state and distances
			e.rep(0, 3)
			e.match(uint32(len(e.data)-2), 2) // from the dictionary's start
		}).
		stored(controlUncompressed, []byte("stored bytes")).
		lzma(controlLZMA, 0, func(e *testEncoder) {
			e.match(11, 12) // the stored bytes
			e.rep(0, 12)
		}).
		lzma(controlLZMAStateReset, 0, func(e *testEncoder) {
			e.literal('q')
			e.match(30, 30)
		}).
		lzma(controlLZMAProperties, propsLp2, func(e *testEncoder) {
			for range 40 {
				e.literal('l')
				e.literal('p')
				e.match(6, 2)
			}
		}).
		stored(controlUncompressedReset, []byte("new dictionary")).
		lzma(controlLZMAProperties, propsLc4Pb4, func(e *testEncoder) {
			e.match(13, 14) // the whole new dictionary
			for i := range 5000 {
				e.literal(byte(i * 7))
			}
			e.match(1<<12+3, 100) // direct and align bits
			e.match(4999, 2)
		}).
		lzma(controlLZMADictionaryReset, propsDefault, literals("fresh"))
	mustDecode(t, c.stream(), c.want)
}

// TestCraftedInvalid checks that LZMA2 and LZMA data breaking the rules
// fails with the right error.
func TestCraftedInvalid(t *testing.T) {
	lit := func(s string) func(*testEncoder) { return literals(s) }
	tests := []struct {
		name  string
		build func() []byte
		want  string
	}{
		{"distance before start", func() []byte {
			return newCrafted().lzma(0xE0, propsDefault, func(e *testEncoder) { e.literal('a'); e.match(1, 3) }).stream()
		}, errDistance.Error()},
		{"distance before dict reset", func() []byte {
			return newCrafted().lzma(0xE0, propsDefault, lit("abcd")).
				lzma(0xE0, propsDefault, func(e *testEncoder) { e.literal('x'); e.match(3, 2) }).stream()
		}, errDistance.Error()},
		{"distance before stored dict reset", func() []byte {
			return newCrafted().stored(1, []byte("abcd")).stored(1, []byte("x")).
				lzma(0xC0, propsDefault, func(e *testEncoder) { e.match(3, 2) }).stream()
		}, errDistance.Error()},
		{"rep at start", func() []byte {
			return newCrafted().lzma(0xE0, propsDefault, func(e *testEncoder) { e.rep(0, 2) }).stream()
		}, errDistance.Error()},
		{"short rep at start", func() []byte {
			return newCrafted().lzma(0xE0, propsDefault, func(e *testEncoder) { e.rep(0, 1) }).stream()
		}, errDistance.Error()},
		{"distance beyond dict size", func() []byte {
			c := newCrafted().stored(1, make([]byte, 5000)).
				lzma(0xC0, propsDefault, func(e *testEncoder) { e.match(4500, 2) })
			return xzStream(checkNone, c.block(0))
		}, errDistance.Error()},
		{"end marker", func() []byte {
			return newCrafted().lzma(0xE0, propsDefault, func(e *testEncoder) { e.literal('a'); e.match(0xFFFFFFFF, 2) }).stream()
		}, errEndMarker.Error()},
		{"match past chunk", func() []byte {
			return newCrafted().lzmaSized(0xE0, propsDefault, func(e *testEncoder) { e.literal('a'); e.match(0, 10) }, -3).stream()
		}, errMatchPastEnd.Error()},
		{"stored first", func() []byte { return newCrafted().stored(2, []byte("a")).stream() }, errNeedDictReset.Error()},
		{"LZMA without dict reset first", func() []byte { return newCrafted().lzma(0xC0, propsDefault, lit("a")).stream() }, errNeedDictReset.Error()},
		{"no properties after stored dict reset", func() []byte {
			return newCrafted().stored(1, []byte("a")).lzma(0xA0, 0, lit("b")).stream()
		}, errNeedProperties.Error()},
		{"control 0x03", func() []byte { return newCrafted().stored(1, []byte("a")).raw(3, 0, 0, 'x').stream() }, errControl.Error()},
		{"control 0x7f", func() []byte { return newCrafted().stored(1, []byte("a")).raw(0x7F, 0, 0, 'x').stream() }, errControl.Error()},
		{"lc+lp > 4", func() []byte {
			return newCrafted().stored(1, []byte("a")).raw(lzmaChunk(0xC0, 1, (0*5+1)*9+4, []byte{0, 0, 0, 0, 0})...).stream()
		}, "lc+lp"},
		{"props byte 225", func() []byte {
			return newCrafted().stored(1, []byte("a")).raw(lzmaChunk(0xC0, 1, 225, []byte{0, 0, 0, 0, 0})...).stream()
		}, "properties byte"},
		{"range coder first byte", func() []byte {
			return newCrafted().stored(1, []byte("a")).raw(lzmaChunk(0xC0, 1, propsDefault, []byte{1, 0, 0, 0, 0})...).stream()
		}, errRangeInit.Error()},
		{"packed size too short for init", func() []byte {
			return newCrafted().stored(1, []byte("a")).raw(lzmaChunk(0xC0, 1, propsDefault, []byte{0, 0, 0})...).stream()
		}, errRangeInit.Error()},
		{"packed size too large", func() []byte {
			c := newCrafted().lzma(0xE0, propsDefault, lit("hello"))
			// One more byte inside the chunk: a packed size of one more.
			c.lzma2[4]++
			c.lzma2 = append(c.lzma2, 0)
			return c.stream()
		}, errPackedSize.Error()},
		{"packed size too small", func() []byte {
			c := newCrafted().lzma(0xE0, propsDefault, lit("hello, world"))
			c.lzma2[4]--
			c.lzma2 = c.lzma2[:len(c.lzma2)-1]
			return c.stream()
		}, "lzma2 chunk"},
		{"unpacked size too large", func() []byte {
			return newCrafted().lzmaSized(0xE0, propsDefault, lit("hello"), 50).stream()
		}, "lzma2 chunk"},
		{"truncated chunk", func() []byte {
			c := newCrafted().lzma(0xE0, propsDefault, lit("hello"))
			return xzStream(checkNone, xzBlock{lzma2: c.lzma2[:len(c.lzma2)-2], output: c.want})
		}, "lzma2 chunk"},
		{"BCJ filter", func() []byte {
			c := newCrafted().stored(1, []byte("a"))
			b := c.block(22)
			b.filters = [][]byte{{0x04, 0}, {filterLZMA2, 1, 22}}
			return xzStream(checkNone, b)
		}, ErrUnsupported.Error()},
		{"delta filter alone", func() []byte {
			c := newCrafted().stored(1, []byte("a"))
			b := c.block(22)
			b.filters = [][]byte{{0x03, 1, 0}}
			return xzStream(checkNone, b)
		}, ErrUnsupported.Error()},
		{"LZMA2 props size 2", func() []byte {
			c := newCrafted().stored(1, []byte("a"))
			b := c.block(22)
			b.filters = [][]byte{{filterLZMA2, 2, 22, 0}}
			return xzStream(checkNone, b)
		}, "properties of 2 bytes"},
		{"dict size property 41", func() []byte {
			return xzStream(checkNone, newCrafted().stored(1, []byte("a")).block(41))
		}, "dictionary size property"},
		{"unknown check", func() []byte {
			return xzStream(0x02, newCrafted().stored(1, []byte("a")).block(22))
		}, ErrUnsupported.Error()},
		{"header compressed size", func() []byte {
			b := newCrafted().stored(1, []byte("abc")).block(22)
			b.packedSize = 8
			return xzStream(checkCRC32, b)
		}, "header says 8"},
		{"header uncompressed size", func() []byte {
			b := newCrafted().stored(1, []byte("abc")).block(22)
			b.unpackedSize = 4
			return xzStream(checkCRC32, b)
		}, "header says 4"},
		{"check mismatch", func() []byte {
			b := newCrafted().stored(1, []byte("abc")).block(22)
			b.output = []byte("abd")
			return xzStream(checkSHA256, b)
		}, "check"},
		{"index record count", func() []byte {
			a := newCrafted().stored(1, []byte("abc")).block(22)
			one, two := xzStream(checkCRC64, a), xzStream(checkCRC64, a, a)
			return spliceIndex(one, two)
		}, "index lists 2 blocks"},
		{"index record sizes", func() []byte {
			a := newCrafted().stored(1, []byte("abc")).block(22)
			b := a
			b.output = []byte("abcd")
			return spliceIndex(xzStream(checkNone, a), xzStream(checkNone, b))
		}, "index record 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(nil, tt.build(), 1<<20)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one saying %q", err, tt.want)
			}
			if tt.want == ErrUnsupported.Error() && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("%v does not wrap ErrUnsupported", err)
			}
		})
	}
}

// spliceIndex returns the stream a up to its index followed by b's index
// and footer.
func spliceIndex(a, b []byte) []byte {
	return append(bytes.Clone(a[:indexOffset(a)]), b[indexOffset(b):]...)
}

// indexOffset finds the index of a stream from its footer's backward size.
func indexOffset(s []byte) int {
	footer := s[len(s)-streamFooterSize:]
	backward := (int(footer[4]) | int(footer[5])<<8 | int(footer[6])<<16 | int(footer[7])<<24 + 1) * 4
	return len(s) - streamFooterSize - backward
}
