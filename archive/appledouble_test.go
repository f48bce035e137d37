package archive

import (
	"encoding/binary"
	"testing"
)

// appleDouble builds an AppleDouble file with Finder info and attributes, as
// macOS's copyfile writes it.
func appleDouble(attrs map[string][]byte, names []string) []byte {
	be := binary.BigEndian
	head := make([]byte, 26+12*2)
	be.PutUint32(head, appleDoubleMagic)
	be.PutUint32(head[4:], 0x00020000)
	copy(head[8:], "Mac OS X        ")
	be.PutUint16(head[24:], 2)
	finder := len(head)
	body := make([]byte, adAttrHeaderOffset+36)
	copy(body[adAttrHeaderOffset:], "ATTR")
	be.PutUint16(body[adAttrHeaderOffset+34:], uint16(len(names)))
	var entries []byte
	for _, n := range names {
		e := make([]byte, 11+len(n)+1)
		e[10] = byte(len(n) + 1)
		copy(e[11:], n)
		for len(e)%4 != 0 {
			e = append(e, 0)
		}
		entries = append(entries, e...)
	}
	dataStart := finder + len(body) + len(entries)
	var data []byte
	p := finder + len(body)
	for _, n := range names {
		be.PutUint32(entries[p-finder-len(body):], uint32(dataStart+len(data)))
		be.PutUint32(entries[p-finder-len(body)+4:], uint32(len(attrs[n])))
		p += (11 + len(n) + 1 + 3) &^ 3
		data = append(data, attrs[n]...)
	}
	finderLen := len(body) + len(entries) + len(data)
	be.PutUint32(head[26:], adEntryFinderInfo)
	be.PutUint32(head[30:], uint32(finder))
	be.PutUint32(head[34:], uint32(finderLen))
	be.PutUint32(head[38:], adEntryResource)
	be.PutUint32(head[42:], uint32(finder+finderLen))
	be.PutUint32(head[46:], 0)
	out := append(head, body...)
	out = append(out, entries...)
	return append(out, data...)
}

func TestParseAppleDouble(t *testing.T) {
	attrs := map[string][]byte{"com.apple.cs.CodeDirectory": []byte("cd-bytes"), "com.apple.quarantine": []byte("q")}
	b := appleDouble(attrs, []string{"com.apple.cs.CodeDirectory", "com.apple.quarantine"})
	if !IsAppleDouble(b) {
		t.Fatal("magic not recognised")
	}
	ad, err := ParseAppleDouble(b)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range attrs {
		if string(ad.Xattrs[k]) != string(v) {
			t.Errorf("%s = %q, want %q", k, ad.Xattrs[k], v)
		}
	}
	if len(ad.FinderInfo) != 32 || len(ad.ResourceFork) != 0 {
		t.Errorf("finder info %d bytes, resource fork %d bytes", len(ad.FinderInfo), len(ad.ResourceFork))
	}
	for i := 0; i < len(b); i++ {
		if _, err := ParseAppleDouble(b[:i]); err == nil && i < 26 {
			t.Errorf("%d-byte prefix accepted", i)
		}
	}
}

func FuzzParseAppleDouble(f *testing.F) {
	f.Add(appleDouble(map[string][]byte{"a": []byte("1")}, []string{"a"}))
	f.Fuzz(func(t *testing.T, b []byte) { ParseAppleDouble(b) })
}
