package hfs_test

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/dmg/hfs"
	"github.com/notarylint/notarylint/internal/fixture"
)

// catalogAt returns the byte offset and node size of a writer volume's
// catalog file (one extent).
func catalogAt(vol []byte) (off int, nodeSize int) {
	be := binary.BigEndian
	h := vol[1024:]
	off = int(be.Uint32(h[272+16:])) * int(be.Uint32(h[40:]))
	return off, int(be.Uint16(vol[off+14+18:]))
}

func TestHostile(t *testing.T) {
	root := makeTree(t, 300)
	good := fixture.HFSPlus(t, root, options(false, false))
	be := binary.BigEndian
	catOff, nodeSize := catalogAt(good)
	for _, tc := range []struct {
		name    string
		corrupt func(b []byte) []byte
		openErr string // "" when Open succeeds
		walkErr string // expected in the walk's error, "" for none
	}{
		{"signature", func(b []byte) []byte { copy(b[1024:], "XX"); return b }, "is not HFS+", ""},
		{"HFS wrapper", func(b []byte) []byte { copy(b[1024:], "BD"); return b }, "not supported", ""},
		{"block size", func(b []byte) []byte { be.PutUint32(b[1024+40:], 1000); return b }, "block size 1000", ""},
		{"short", func(b []byte) []byte { return b[:1500] }, "too small", ""},
		{"catalog past the volume", func(b []byte) []byte { be.PutUint32(b[1024+272+16:], 1<<30); return b }, "ends past the volume", ""},
		{"catalog node size", func(b []byte) []byte { be.PutUint16(b[catOff+14+18:], 1000); return b }, "node size 1000", ""},
		{"catalog depth", func(b []byte) []byte { be.PutUint16(b[catOff+14:], 9); return b }, "depth 9", ""},
		{"root past the nodes", func(b []byte) []byte { be.PutUint32(b[catOff+14+2:], 1<<20); return b }, "root node", ""},
		{"leaf cycle", func(b []byte) []byte {
			be.PutUint32(b[catOff+nodeSize:], 1) // leaf 1 links to itself
			return b
		}, "", "cycle"},
		{"record offsets", func(b []byte) []byte {
			be.PutUint16(b[catOff+3*nodeSize-4:], 0xfff0) // leaf 2, record 1's offset
			return b
		}, "", "out of order or range"},
		{"truncated", func(b []byte) []byte { return b[:len(b)/3] }, "past the end of the", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.corrupt(bytes.Clone(good))
			fsys, err := hfs.Open(bytes.NewReader(b), int64(len(b)))
			if tc.openErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.openErr) {
					t.Fatalf("Open: %v, want %q", err, tc.openErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			var errs []string
			fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					errs = append(errs, err.Error())
					return nil
				}
				if d.Type().IsRegular() {
					if _, err := fs.ReadFile(fsys, p); err != nil {
						errs = append(errs, err.Error())
					}
				}
				return nil
			})
			if !strings.Contains(strings.Join(errs, "\n"), tc.walkErr) || len(errs) == 0 {
				t.Errorf("walk errors %q, want %q", errs, tc.walkErr)
			}
		})
	}
}
