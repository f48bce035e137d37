package pkg

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadAhead checks that read-ahead returns the source's bytes in order
// across buffers, passes its error on, and can be closed early.
func TestReadAhead(t *testing.T) {
	src := bytes.Repeat([]byte("0123456789abcdef"), readAheadSize/16*3+5)
	for name, r := range map[string]io.Reader{
		"plain":    bytes.NewReader(src),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(src)),
		"half":     iotest.HalfReader(bytes.NewReader(src)),
	} {
		ra := newReadAhead(r)
		got, err := io.ReadAll(iotest.OneByteReader(ra))
		ra.Close()
		if err != nil || !bytes.Equal(got, src) {
			t.Errorf("%s: %d bytes, %v; want %d", name, len(got), err, len(src))
		}
	}
	boom := errors.New("boom")
	ra := newReadAhead(io.MultiReader(bytes.NewReader(src[:1000]), iotest.ErrReader(boom)))
	if got, err := io.ReadAll(ra); !errors.Is(err, boom) || len(got) != 1000 {
		t.Errorf("error case: %d bytes, %v", len(got), err)
	}
	ra.Close()
	ra = newReadAhead(bytes.NewReader(src))
	io.ReadFull(ra, make([]byte, 10))
	ra.Close() // must not hang with buffers full
}
