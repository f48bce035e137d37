package pkg

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io/fs"
	"testing"
)

// handXar assembles a xar: a SHA-1 TOC whose <file> elements are files,
// and a heap of the TOC checksum followed by heap (files' offsets count
// from the heap's start, so the first byte of heap is at offset 20).
func handXar(t *testing.T, files string, heap []byte) []byte {
	toc := `<?xml version="1.0" encoding="UTF-8"?><xar><toc><checksum style="sha1"><offset>0</offset><size>20</size></checksum>` + files + `</toc></xar>`
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(toc))
	zw.Close()
	be := binary.BigEndian
	out := []byte("xar!")
	out = be.AppendUint16(out, 28)
	out = be.AppendUint16(out, 1)
	out = be.AppendUint64(out, uint64(z.Len()))
	out = be.AppendUint64(out, uint64(len(toc)))
	out = be.AppendUint32(out, 1)
	sum := sha1.Sum(z.Bytes())
	out = append(append(append(out, z.Bytes()...), sum[:]...), heap...)
	return out
}

// TestExtendedAttributes reads a file's extended attributes from the heap
// and reports one whose checksum does not match.
func TestExtendedAttributes(t *testing.T) {
	value, data := []byte("finder info"), []byte("hello")
	sum := func(b []byte) string { return fmt.Sprintf("%x", sha1.Sum(b)) }
	// heapFields are the elements locating b at off, as <data> and <ea> hold them.
	heapFields := func(off int, b []byte, cksum string) string {
		return fmt.Sprintf(`<offset>%d</offset><length>%d</length><size>%d</size><encoding style="application/octet-stream"/>`+
			`<archived-checksum style="sha1">%s</archived-checksum><extracted-checksum style="sha1">%s</extracted-checksum>`,
			off, len(b), len(b), cksum, cksum)
	}
	for _, tc := range []struct {
		name    string
		eaSum   string
		wantBad bool
	}{{"good", sum(value), false}, {"bad checksum", sum([]byte("other")), true}} {
		files := `<file id="1"><name>a.txt</name><type>file</type><data>` + heapFields(20, data, sum(data)) + `</data>` +
			`<ea id="0"><name>com.apple.FinderInfo</name>` + heapFields(25, value, tc.eaSum) + `</ea></file>`
		b := handXar(t, files, append(append([]byte(nil), data...), value...))
		x, err := OpenXar(bytes.NewReader(b), int64(len(b)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !x.TOCChecksumOK {
			t.Fatalf("%s: TOC checksum", tc.name)
		}
		if got, err := fs.ReadFile(x.Files, "a.txt"); err != nil || string(got) != "hello" {
			t.Errorf("%s: a.txt = %q, %v", tc.name, got, err)
		}
		eas, err := x.ExtendedAttributes("a.txt")
		if err != nil || string(eas["com.apple.FinderInfo"]) != string(value) {
			t.Errorf("%s: extended attributes %q, %v", tc.name, eas, err)
		}
		if bad := len(x.BadChecksums()) > 0; bad != tc.wantBad {
			t.Errorf("%s: bad checksums %v", tc.name, x.BadChecksums())
		}
	}
}
