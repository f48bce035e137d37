package macho

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Magic numbers.
const (
	Magic32    = 0xfeedface
	Magic64    = 0xfeedfacf
	MagicFat   = 0xcafebabe
	MagicFat64 = 0xcafebabf
)

// File types (mach_header.filetype).
const (
	TypeObject     = 0x1
	TypeExecute    = 0x2
	TypeCore       = 0x4
	TypeDylib      = 0x6
	TypeDylinker   = 0x7
	TypeBundle     = 0x8
	TypeDylibStub  = 0x9
	TypeDSYM       = 0xa
	TypeKextBundle = 0xb
	TypeFileset    = 0xc
)

var fileTypeNames = map[uint32]string{
	TypeObject: "MH_OBJECT", TypeExecute: "MH_EXECUTE", 3: "MH_FVMLIB", TypeCore: "MH_CORE",
	5: "MH_PRELOAD", TypeDylib: "MH_DYLIB", TypeDylinker: "MH_DYLINKER", TypeBundle: "MH_BUNDLE",
	TypeDylibStub: "MH_DYLIB_STUB", TypeDSYM: "MH_DSYM", TypeKextBundle: "MH_KEXT_BUNDLE",
	TypeFileset: "MH_FILESET",
}

// FileTypeName returns the <mach-o/loader.h> name of a file type.
func FileTypeName(t uint32) string {
	if n, ok := fileTypeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("filetype(%#x)", t)
}

// Limits that keep hostile input from making us allocate or loop without
// bound. Real files are far below them.
const (
	// MaxFatArches is the most slices a universal header may declare; Apple's
	// tools stop at about 20. A Java class file shares the 0xcafebabe magic
	// and has its major version (45 and up) where nfat_arch would be.
	MaxFatArches = 20
	// MaxLoadCommandBytes bounds sizeofcmds.
	MaxLoadCommandBytes = 16 << 20
)

// Format is what Detect found.
type Format int

// Formats Detect tells apart.
const (
	NotMachO Format = iota
	Thin
	Universal
)

// Detect tells from the first bytes of a file (at least 8, ideally up to
// 8+20*MaxFatArches) and its size whether it is a thin or universal Mach-O.
// A 0xcafebabe file counts as universal only when its arch count is small
// and every entry it can see names a known CPU and lies inside the file.
func Detect(head []byte, size int64) Format {
	if len(head) < 4 {
		return NotMachO
	}
	be := binary.BigEndian.Uint32(head)
	le := binary.LittleEndian.Uint32(head)
	switch {
	case be == Magic32, be == Magic64, le == Magic32, le == Magic64:
		return Thin
	case be == MagicFat || be == MagicFat64:
		if len(head) < 8 {
			return NotMachO
		}
		n := binary.BigEndian.Uint32(head[4:])
		if n == 0 || n > MaxFatArches {
			return NotMachO
		}
		entry := 20
		if be == MagicFat64 {
			entry = 32
		}
		for i := 0; i < int(n) && 8+(i+1)*entry <= len(head); i++ {
			e := head[8+i*entry:]
			cpu := binary.BigEndian.Uint32(e)
			var off, sz uint64
			if be == MagicFat64 {
				off, sz = binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[16:])
			} else {
				off, sz = uint64(binary.BigEndian.Uint32(e[8:])), uint64(binary.BigEndian.Uint32(e[12:]))
			}
			if !knownCPU(cpu) || off == 0 || off > uint64(size) || sz > uint64(size)-off {
				return NotMachO
			}
		}
		return Universal
	}
	return NotMachO
}

// FormatError reports a structural problem at a byte offset of the file.
type FormatError struct {
	Offset int64  // offset of the structure in the file
	What   string // the structure, e.g. "load command 3 (LC_SEGMENT_64)"
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s at %#x: %s", e.What, e.Offset, e.Msg)
}

func formatErr(off int64, what, format string, args ...any) error {
	return &FormatError{Offset: off, What: what, Msg: fmt.Sprintf(format, args...)}
}

// FatArch is one entry of a universal header.
type FatArch struct {
	CPU, SubCPU  uint32
	Offset, Size uint64
	Align        uint32 // power of two
}

// FatHeader is the header of a universal file.
type FatHeader struct {
	Magic  uint32
	Arches []FatArch
	// HeaderEnd is the offset just past the fat_arch table.
	HeaderEnd int64
}

// File is a parsed Mach-O file.
type File struct {
	Size   int64
	Fat    *FatHeader // nil for a thin file
	Slices []*Slice   // in header order

	r io.ReaderAt
}

// Open parses the Mach-O file in r. It returns an error only when the file
// as a whole is unusable (no Mach-O magic, unreadable universal header);
// problems with one slice are in that slice's Err.
func Open(r io.ReaderAt, size int64) (*File, error) {
	var head [8]byte
	if size < 8 {
		return nil, formatErr(0, "Mach-O header", "file is only %d bytes", size)
	}
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, fmt.Errorf("read Mach-O header: %w", err)
	}
	f := &File{Size: size, r: r}
	magic := binary.BigEndian.Uint32(head[:])
	if magic != MagicFat && magic != MagicFat64 {
		f.Slices = []*Slice{parseSlice(r, 0, size, 0)}
		return f, nil
	}
	fat, err := readFatHeader(r, size, magic, binary.BigEndian.Uint32(head[4:]))
	if err != nil {
		return nil, err
	}
	f.Fat = fat
	for i, a := range fat.Arches {
		s := parseSlice(r, int64(a.Offset), int64(a.Size), i)
		if s.Err == nil && (s.CPU != a.CPU || s.SubCPU&subtypeMask != a.SubCPU&subtypeMask) {
			s.Err = formatErr(int64(a.Offset), "slice header", "CPU %s does not match the universal header's %s",
				ArchName(s.CPU, s.SubCPU), ArchName(a.CPU, a.SubCPU))
		}
		if s.Arch == "" {
			s.Arch = ArchName(a.CPU, a.SubCPU)
		}
		f.Slices = append(f.Slices, s)
	}
	return f, nil
}

func readFatHeader(r io.ReaderAt, size int64, magic, n uint32) (*FatHeader, error) {
	if n == 0 || n > MaxFatArches {
		return nil, formatErr(4, "universal header", "nfat_arch %d outside 1..%d", n, MaxFatArches)
	}
	entry := int64(20)
	if magic == MagicFat64 {
		entry = 32
	}
	end := 8 + int64(n)*entry
	if end > size {
		return nil, formatErr(8, "universal header", "%d fat_arch entries need %d bytes, file has %d", n, end, size)
	}
	buf := make([]byte, end-8)
	if _, err := r.ReadAt(buf, 8); err != nil {
		return nil, fmt.Errorf("read universal header: %w", err)
	}
	fat := &FatHeader{Magic: magic, HeaderEnd: end}
	for i := int64(0); i < int64(n); i++ {
		e := buf[i*entry:]
		a := FatArch{CPU: binary.BigEndian.Uint32(e), SubCPU: binary.BigEndian.Uint32(e[4:])}
		if magic == MagicFat64 {
			a.Offset, a.Size, a.Align = binary.BigEndian.Uint64(e[8:]), binary.BigEndian.Uint64(e[16:]), binary.BigEndian.Uint32(e[24:])
		} else {
			a.Offset, a.Size, a.Align = uint64(binary.BigEndian.Uint32(e[8:])), uint64(binary.BigEndian.Uint32(e[12:])), binary.BigEndian.Uint32(e[16:])
		}
		off := 8 + i*entry
		if a.Offset < uint64(end) || a.Offset > uint64(size) || a.Size > uint64(size)-a.Offset {
			return nil, formatErr(off, fmt.Sprintf("fat_arch %d (%s)", i, ArchName(a.CPU, a.SubCPU)),
				"slice [%#x, +%#x) outside the file (header ends at %#x, file size %#x)", a.Offset, a.Size, end, size)
		}
		if a.Align > 30 {
			return nil, formatErr(off, fmt.Sprintf("fat_arch %d (%s)", i, ArchName(a.CPU, a.SubCPU)), "alignment 2^%d is absurd", a.Align)
		}
		fat.Arches = append(fat.Arches, a)
	}
	return fat, nil
}

// SortedArches returns the fat entries ordered by file offset.
func (h *FatHeader) SortedArches() []FatArch {
	s := append([]FatArch(nil), h.Arches...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Offset < s[j].Offset })
	return s
}

// errUnsupported marks a slice we recognise but cannot decode.
var errUnsupported = errors.New("unsupported")

// Detach drops the file's reader, so that the bytes it reads can be freed
// once everything needed was parsed. Afterwards nothing may read through
// the file or its slices (Slice.Reader, File.LayoutProblems).
func (f *File) Detach() {
	f.r = nil
	for _, s := range f.Slices {
		s.r = nil
	}
}
