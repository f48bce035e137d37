package pkg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/notarylint/notarylint/internal/fixture"
	"github.com/notarylint/notarylint/internal/lzma"
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

// TestPBZXReusesBuffers reads chunks of different sizes, xz and raw, more
// than the reader keeps buffers for, so recycled buffers (of the stored
// bytes, of decoded chunks, too small ones) are reused: every byte must
// still come out in order.
func TestPBZXReusesBuffers(t *testing.T) {
	var chunks []string
	var xzChunk []bool
	var want strings.Builder
	for i := range 24 {
		size := []int{100 << 10, 3 << 10, 250 << 10, 1}[i%4]
		var c strings.Builder
		for c.Len() < size {
			fmt.Fprintf(&c, "chunk %d line %d %x\n", i, c.Len(), c.Len()*2654435761)
		}
		chunks = append(chunks, c.String()[:size])
		xzChunk = append(xzChunk, i%3 != 1)
		want.WriteString(chunks[i])
	}
	for _, workers := range []int{1, 2, 4} {
		p := newPBZX(bytes.NewReader(pbzxOf(t, chunks, xzChunk)), workers)
		got, err := io.ReadAll(iotest.HalfReader(p))
		p.Close()
		if err != nil || string(got) != want.String() {
			t.Errorf("%d workers: %d bytes (want %d), %v", workers, len(got), want.Len(), err)
		}
	}
}

// TestPBZXOtherFilters reads a chunk that xz compressed with the x86 BCJ
// filter before LZMA2, which Apple's encoder never writes: an error that
// says so, not a panic or wrong bytes.
func TestPBZXOtherFilters(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz not installed")
	}
	data := bytes.Repeat([]byte("\xe8\x10\x00\x00\x00call rel32 \x55\x48\x89\xe5"), 4000)
	cmd := exec.Command("xz", "--x86", "--lzma2", "-c")
	cmd.Stdin = bytes.NewReader(data)
	stored, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	b := be.AppendUint64([]byte("pbzx"), pbzxMore)
	b = be.AppendUint64(be.AppendUint64(b, uint64(len(data))), uint64(len(stored)))
	b = append(b, stored...)
	got, err := io.ReadAll(newPBZX(bytes.NewReader(b), 2))
	if !errors.Is(err, lzma.ErrUnsupported) || len(got) != 0 {
		t.Errorf("read %d bytes, error %v; want none and an unsupported filter", len(got), err)
	}
}
