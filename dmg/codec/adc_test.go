package codec

import (
	"bytes"
	"errors"
	"testing"
)

func TestADCHandWritten(t *testing.T) {
	lit128 := bytes.Repeat([]byte("0123456789abcdef"), 8)
	for _, c := range []struct {
		name     string
		src      []byte
		want     string
		wantRepl []byte
	}{
		// libyal/libmodi tests/modi_test_adc.c (commit 18a8d44c): a 4-byte
		// literal, a 2-byte match (3 bytes, distance 1) and a 3-byte match
		// (4 bytes, distance 7).
		{"libmodi", []byte{0x83, 0xfe, 0xed, 0xfa, 0xce, 0x00, 0x00, 0x40, 0x00, 0x06}, "\xfe\xed\xfa\xce\xce\xce\xce\xfe\xed\xfa\xce", nil},
		{"literal run", []byte{0x82, 'a', 'b', 'c'}, "abc", nil},
		// 0x04: length (1)+3 = 4, distance 0x001+1 = 2: overlapping.
		{"2-byte overlap", []byte{0x81, 'a', 'b', 0x04, 0x01}, "ababab", nil},
		// 0x41: length 1+4 = 5, distance 0x0002+1 = 3: overlapping.
		{"3-byte overlap", []byte{0x82, 'a', 'b', 'c', 0x41, 0x00, 0x02}, "abcabcab", nil},
		// 0x3f: length 15+3 = 18, distance (3<<8|0xff)+1 = 1024.
		{"2-byte max", append(append(append([]byte{0xff}, lit128...), bytes.Repeat(append([]byte{0xff}, lit128...), 7)...), 0x3f, 0xff), "", nil},
		// 0x7f: length 63+4 = 67, distance 0xffff+1 = 65536.
		{"3-byte max", nil, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, want := c.src, []byte(c.want)
			switch c.name {
			case "2-byte max":
				want = bytes.Repeat(lit128, 8)
				want = append(want, want[len(want)-1024:len(want)-1024+18]...)
			case "3-byte max":
				for i := 0; i < 512; i++ {
					src = append(src, 0xff)
					src = append(src, lit128...)
					want = append(want, lit128...)
				}
				want[0] = 'X'
				src[1] = 'X'
				src = append(src, 0x7f, 0xff, 0xff)
				want = append(want, want[len(want)-65536:len(want)-65536+67]...)
			}
			dst := make([]byte, len(want))
			n, err := ADC(dst, src)
			if err != nil || !bytes.Equal(dst[:n], want) {
				t.Fatalf("got %q, %v\nwant %q", dst[:n], err, want)
			}
			if len(want) > 0 {
				if _, err := ADC(dst[:len(want)-1], src); !errors.Is(err, ErrOverflow) {
					t.Fatalf("dst one short: %v, want ErrOverflow", err)
				}
			}
		})
	}
}

func TestADCErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		src  []byte
		kind error
		off  int64
	}{
		{"match before output", []byte{0x00, 0x00}, ErrCorrupt, 0},
		{"distance past start", []byte{0x81, 'a', 'b', 0x40, 0x00, 0x02}, ErrCorrupt, 3},
		{"literal cut", []byte{0x85, 'a', 'b'}, ErrTruncated, 0},
		{"2-byte op cut", []byte{0x80, 'a', 0x00}, ErrTruncated, 2},
		{"3-byte op cut", []byte{0x80, 'a', 0x40, 0x00}, ErrTruncated, 2},
		{"overflow", []byte{0x80, 'a', 0x3c, 0x00}, ErrOverflow, 2},
	} {
		dst := make([]byte, 8)
		_, err := ADC(dst, c.src)
		var e *Error
		if !errors.Is(err, c.kind) || !errors.As(err, &e) || e.Offset != c.off {
			t.Errorf("%s: %v, want %v at offset %d", c.name, err, c.kind, c.off)
		}
	}
}

// TestADCRoundTrip encodes every plaintext with the test encoder, checks
// that all three opcodes were used, and decodes it back.
func TestADCRoundTrip(t *testing.T) {
	for name, gen := range plaintexts {
		t.Run(name, func(t *testing.T) {
			plain := gen()
			src, st := adcEncode(plain)
			if name == "mixed" && (st.literal == 0 || st.short == 0 || st.long == 0) {
				t.Fatalf("opcodes used: %+v", st)
			}
			dst := make([]byte, len(plain))
			n, err := ADC(dst, src)
			if err != nil || n != len(plain) || !bytes.Equal(dst, plain) {
				t.Fatalf("%d of %d bytes, %v", n, len(plain), err)
			}
			if len(src) < 100000 {
				damage(t, src, len(plain), false, ADC)
			}
		})
	}
}
