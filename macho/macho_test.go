package macho

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// thinHeader builds a minimal 64-bit little-endian Mach-O with the given load
// commands.
func thinHeader(filetype uint32, cmds ...[]byte) []byte {
	var body []byte
	for _, c := range cmds {
		body = append(body, c...)
	}
	b := make([]byte, 32, 32+len(body)+64)
	le := binary.LittleEndian
	le.PutUint32(b, Magic64)
	le.PutUint32(b[4:], CPUARM64)
	le.PutUint32(b[12:], filetype)
	le.PutUint32(b[16:], uint32(len(cmds)))
	le.PutUint32(b[20:], uint32(len(body)))
	b = append(b, body...)
	return append(b, make([]byte, 64)...)
}

func cmd(c uint32, words ...uint32) []byte {
	b := make([]byte, 8+4*len(words))
	binary.LittleEndian.PutUint32(b, c)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)))
	for i, w := range words {
		binary.LittleEndian.PutUint32(b[8+4*i:], w)
	}
	return b
}

func TestDetect(t *testing.T) {
	class := []byte{0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x34, 0, 0, 0, 0}
	cases := []struct {
		name string
		head []byte
		size int64
		want Format
	}{
		{"thin 64 LE", []byte{0xcf, 0xfa, 0xed, 0xfe}, 4096, Thin},
		{"thin 32 BE", []byte{0xfe, 0xed, 0xfa, 0xce}, 4096, Thin},
		{"java class file (major 52)", class, 4096, NotMachO},
		{"fat with zero arches", []byte{0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0}, 4096, NotMachO},
		{"fat entry past the end", fatHead(CPUARM64, 0x4000, 0x10000), 0x8000, NotMachO},
		{"fat entry with unknown CPU", fatHead(0x1234, 0x4000, 0x100), 0x8000, NotMachO},
		{"fat ok", fatHead(CPUARM64, 0x4000, 0x100), 0x8000, Universal},
		{"short", []byte{0xcf}, 1, NotMachO},
		{"text", []byte("hello world"), 11, NotMachO},
	}
	for _, tc := range cases {
		if got := Detect(tc.head, tc.size); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func fatHead(cpu uint32, off, size uint32) []byte {
	b := make([]byte, 8+20)
	be := binary.BigEndian
	be.PutUint32(b, MagicFat)
	be.PutUint32(b[4:], 1)
	be.PutUint32(b[8:], cpu)
	be.PutUint32(b[16:], off)
	be.PutUint32(b[20:], size)
	be.PutUint32(b[24:], 14)
	return b
}

func TestOpenThin(t *testing.T) {
	bv := cmd(LCBuildVersion, uint32(PlatformMacOS), uint32(MakeVersion(11, 0, 0)), uint32(MakeVersion(14, 2, 0)), 0)
	cs := cmd(LCCodeSignature, 0x100, 0x10)
	b := thinHeader(TypeExecute, bv, cs)
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Slices[0]
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if s.Arch != "arm64" || s.FileTypeName() != "MH_EXECUTE" || !s.IsCode() {
		t.Errorf("got %s %s", s.Arch, s.FileTypeName())
	}
	if len(s.BuildVersions) != 1 || s.BuildVersions[0].SDK.String() != "14.2" || s.BuildVersions[0].MinOS.String() != "11.0" {
		t.Errorf("build versions = %+v", s.BuildVersions)
	}
	if s.CodeSignature == nil || s.CodeSignature.DataOff != 0x100 || s.CodeSignature.DataSize != 0x10 {
		t.Errorf("code signature = %+v", s.CodeSignature)
	}
}

func TestOpenMalformed(t *testing.T) {
	bv := cmd(LCBuildVersion, 1, 0, 0, 0)
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"cmdsize too big": {func() []byte {
			b := thinHeader(TypeExecute, bv)
			binary.LittleEndian.PutUint32(b[32+4:], 0x1000)
			return b
		}(), "cmdsize 0x1000"},
		"sizeofcmds beyond file": {func() []byte {
			b := thinHeader(TypeExecute, bv)
			binary.LittleEndian.PutUint32(b[20:], 0xffffff)
			return b
		}(), "sizeofcmds"},
		"too many commands": {func() []byte {
			b := thinHeader(TypeExecute, bv)
			binary.LittleEndian.PutUint32(b[16:], 1000)
			return b
		}(), "cannot fit"},
		"build version ntools lie": {thinHeader(TypeExecute, cmd(LCBuildVersion, 1, 0, 0, 50)), "too small"},
		"two code signatures":      {thinHeader(TypeExecute, cmd(LCCodeSignature, 0, 0), cmd(LCCodeSignature, 0, 0)), "second LC_CODE_SIGNATURE"},
	}
	for name, tc := range cases {
		f, err := Open(bytes.NewReader(tc.b), int64(len(tc.b)))
		if err != nil {
			t.Errorf("%s: file error %v, want a slice error", name, err)
			continue
		}
		var fe *FormatError
		if err := f.Slices[0].Err; !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: slice error %v, want a *FormatError containing %q", name, err, tc.want)
		}
	}
	if _, err := Open(bytes.NewReader([]byte{0xcf, 0xfa}), 2); err == nil {
		t.Error("2-byte file opened")
	}
	trunc := thinHeader(TypeExecute, bv)[:20]
	f, err := Open(bytes.NewReader(trunc), int64(len(trunc)))
	if err != nil || f.Slices[0].Err == nil {
		t.Errorf("truncated header: err %v, slice err %v; want a slice error", err, f.Slices[0].Err)
	}
}

func TestOpenUniversalBadSliceKeepsOthers(t *testing.T) {
	good := thinHeader(TypeExecute, cmd(LCBuildVersion, 1, 0, uint32(MakeVersion(14, 0, 0)), 0))
	bad := append([]byte{}, good...)
	binary.LittleEndian.PutUint32(bad[20:], 0xfffff) // sizeofcmds
	binary.LittleEndian.PutUint32(bad[4:], CPUX86_64)
	b := make([]byte, 0x3000)
	be := binary.BigEndian
	be.PutUint32(b, MagicFat)
	be.PutUint32(b[4:], 2)
	for i, s := range []struct {
		cpu  uint32
		off  int
		data []byte
	}{{CPUARM64, 0x1000, good}, {CPUX86_64, 0x2000, bad}} {
		e := b[8+20*i:]
		be.PutUint32(e, s.cpu)
		be.PutUint32(e[8:], uint32(s.off))
		be.PutUint32(e[12:], uint32(len(s.data)))
		be.PutUint32(e[16:], 12)
		copy(b[s.off:], s.data)
	}
	b = b[:0x2000+len(bad)]
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Slices) != 2 || f.Slices[0].Err != nil || f.Slices[1].Err == nil {
		t.Fatalf("slices: %d, errs %v / %v", len(f.Slices), f.Slices[0].Err, f.Slices[1].Err)
	}
	if f.Slices[1].Arch != "x86_64" {
		t.Errorf("bad slice arch %q", f.Slices[1].Arch)
	}
}

func TestVersionString(t *testing.T) {
	for v, want := range map[Version]string{0: "n/a", MakeVersion(10, 9, 0): "10.9", MakeVersion(10, 8, 5): "10.8.5", MakeVersion(14, 0, 0): "14.0"} {
		if v.String() != want {
			t.Errorf("%#x = %q, want %q", uint32(v), v.String(), want)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(thinHeader(TypeExecute, cmd(LCBuildVersion, 1, 0, 0, 0), cmd(LCCodeSignature, 0x40, 0x20)))
	f.Add(thinHeader(TypeDylib, cmd(LCVersionMinMacOS, 0, 0), cmd(LCSegment64, make([]uint32, 16)...)))
	f.Add(append(fatHead(CPUARM64, 0x20, 0x40), thinHeader(TypeExecute)...))
	f.Add([]byte{0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		_ = file.LayoutProblems()
		for _, s := range file.Slices {
			if s.Err == nil {
				_ = s.LayoutProblems()
			}
		}
	})
}
