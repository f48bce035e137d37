package pkg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"testing"
	"testing/iotest"

	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/ulikunitz/xz"
)

// pbzxOf encodes chunks as pbzx: each xz-compressed when xzChunk says so,
// else raw.
func pbzxOf(t *testing.T, chunks []string, xzChunk []bool) []byte {
	be := binary.BigEndian
	out := be.AppendUint64([]byte("pbzx"), pbzxMore)
	for i, c := range chunks {
		stored := []byte(c)
		if xzChunk[i] {
			var z bytes.Buffer
			w, err := xz.NewWriter(&z)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, c)
			w.Close()
			stored = z.Bytes()
		}
		size := uint64(len(c))
		if i < len(chunks)-1 {
			size |= pbzxMore
		}
		out = be.AppendUint64(out, size)
		out = be.AppendUint64(out, uint64(len(stored)))
		out = append(out, stored...)
	}
	return out
}

// TestPBZX reads multi-chunk payloads, xz and raw, through readers that
// return data with io.EOF and one byte at a time, and stops cleanly when
// closed early.
func TestPBZX(t *testing.T) {
	chunks := []string{"first chunk ", "second, raw ", "third", ""}
	b := pbzxOf(t, chunks, []bool{true, false, true, true})
	for name, r := range map[string]io.Reader{
		"plain":    bytes.NewReader(b),
		"data+EOF": iotest.DataErrReader(bytes.NewReader(b)),
		"one byte": iotest.OneByteReader(bytes.NewReader(b)),
	} {
		p := newPBZX(r, 2)
		got, err := io.ReadAll(p)
		p.Close()
		if err != nil || string(got) != "first chunk second, raw third" {
			t.Errorf("%s: read %q, %v", name, got, err)
		}
	}
	p := newPBZX(bytes.NewReader(b), 1)
	buf := make([]byte, 3)
	if _, err := io.ReadFull(p, buf); err != nil {
		t.Fatal(err)
	}
	p.Close() // must not hang with chunks still queued
	bad := append([]byte(nil), b[:len(b)-3]...)
	if _, err := io.ReadAll(newPBZX(bytes.NewReader(bad), 2)); err == nil {
		t.Errorf("truncated payload read without error")
	}
}

// TestConsume checks that a consumed file's content is handed over once
// and then dropped, keeping its digests, while other kept files stay.
func TestConsume(t *testing.T) {
	cpio := fixture.CpioODC(t, []fixture.CpioFile{{Name: "./code", Data: []byte("MACHO!")}, {Name: "./keep", Data: []byte("<plist>")}})
	var got []string
	pl, err := OpenPayload(bytes.NewReader(cpio), nil, func(string, []byte, int64) bool { return true },
		func(name string, data []byte) bool {
			got = append(got, name+"="+string(data))
			return name == "code"
		})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != "code=MACHO!" || got[1] != "keep=<plist>" {
		t.Fatalf("consumed %q", got)
	}
	if e := pl.Tree.Entry("code"); e.Random != nil || e.Digests["sha256"] == nil {
		t.Errorf("consumed entry still holds its content (or lost its digests)")
	}
	if _, err := fs.ReadFile(pl.Tree, "code"); !errors.Is(err, ErrStreamed) {
		t.Errorf("reading a consumed file: %v, want ErrStreamed", err)
	}
	if b, err := fs.ReadFile(pl.Tree, "keep"); err != nil || string(b) != "<plist>" {
		t.Errorf("kept file: %q, %v", b, err)
	}
}
