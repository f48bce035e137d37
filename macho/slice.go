package macho

import (
	"encoding/binary"
	"fmt"
	"io"

	gomacho "github.com/blacktop/go-macho"
	"github.com/blacktop/go-macho/types"
)

// Load command numbers notarylint reads.
const (
	LCSegment          = 0x1
	LCSegment64        = 0x19
	LCCodeSignature    = 0x1d
	LCEncryptionInfo   = 0x21
	LCEncryptionInfo64 = 0x2c
	LCVersionMinMacOS  = 0x24
	LCVersionMinIOS    = 0x25
	LCVersionMinTVOS   = 0x2f
	LCVersionMinWatch  = 0x30
	LCBuildVersion     = 0x32
)

// decodedCommands are the load commands go-macho is asked to decode. None of
// them makes it read or allocate outside the command's own bytes.
var decodedCommands = []types.LoadCmd{
	types.LC_SEGMENT, types.LC_SEGMENT_64, types.LC_BUILD_VERSION,
	types.LC_VERSION_MIN_MACOSX, types.LC_VERSION_MIN_IPHONEOS,
	types.LC_VERSION_MIN_TVOS, types.LC_VERSION_MIN_WATCHOS,
	types.LC_ENCRYPTION_INFO, types.LC_ENCRYPTION_INFO_64,
}

// BuildVersion is an LC_BUILD_VERSION command.
type BuildVersion struct {
	Platform Platform
	MinOS    Version
	SDK      Version
}

// VersionMin is an LC_VERSION_MIN_* command.
type VersionMin struct {
	Cmd     uint32 // LCVersionMinMacOS, LCVersionMinIOS, ...
	Version Version
	SDK     Version
}

// IsMacOS reports whether this is LC_VERSION_MIN_MACOSX.
func (v VersionMin) IsMacOS() bool { return v.Cmd == LCVersionMinMacOS }

// CommandName returns the load command's name.
func (v VersionMin) CommandName() string {
	switch v.Cmd {
	case LCVersionMinMacOS:
		return "LC_VERSION_MIN_MACOSX"
	case LCVersionMinIOS:
		return "LC_VERSION_MIN_IPHONEOS"
	case LCVersionMinTVOS:
		return "LC_VERSION_MIN_TVOS"
	case LCVersionMinWatch:
		return "LC_VERSION_MIN_WATCHOS"
	}
	return fmt.Sprintf("LC(%#x)", v.Cmd)
}

// Segment is an LC_SEGMENT or LC_SEGMENT_64 command.
type Segment struct {
	Name              string
	VMAddr, VMSize    uint64
	FileOff, FileSize uint64
	Sections          []Section
}

// Section is one section header of a segment.
type Section struct {
	Seg, Name string
	Offset    uint32
	Size      uint64
}

// LinkEditData is a linkedit_data_command range (LC_CODE_SIGNATURE).
type LinkEditData struct {
	CmdOffset int64 // offset of the load command in the slice
	DataOff   uint32
	DataSize  uint32
}

// Encryption is an LC_ENCRYPTION_INFO(_64) command.
type Encryption struct {
	Offset, Size, CryptID uint32
}

// Slice is one architecture of a Mach-O file (the whole file when thin).
type Slice struct {
	Index        int   // position in the universal header; 0 when thin
	Offset, Size int64 // byte range in the file

	Arch     string
	CPU      uint32
	SubCPU   uint32
	Is64     bool
	Order    binary.ByteOrder
	FileType uint32
	Flags    uint32
	NCmds    uint32

	BuildVersions []BuildVersion
	VersionMins   []VersionMin
	Segments      []Segment
	CodeSignature *LinkEditData
	Encryption    *Encryption

	// Err is set when the slice could not be parsed; the fields above may
	// then be partly filled.
	Err error

	r io.ReaderAt
}

// Reader returns a reader over the slice's bytes.
func (s *Slice) Reader() *io.SectionReader { return io.NewSectionReader(s.r, s.Offset, s.Size) }

// FileTypeName returns the slice's file type as MH_EXECUTE, MH_DYLIB, ...
func (s *Slice) FileTypeName() string { return FileTypeName(s.FileType) }

// IsCode reports whether the file type is one the notary service treats as
// code that must be signed: executables, dylibs, bundles (plug-ins, .node
// addons), dyld and kexts. Object files, dSYM companions and core files are
// not.
func (s *Slice) IsCode() bool {
	switch s.FileType {
	case TypeExecute, TypeDylib, TypeBundle, TypeDylinker, TypeKextBundle:
		return true
	}
	return false
}

// Segment returns the named segment, or nil.
func (s *Slice) Segment(name string) *Segment {
	for i := range s.Segments {
		if s.Segments[i].Name == name {
			return &s.Segments[i]
		}
	}
	return nil
}

// Section returns the named section, or nil.
func (s *Slice) Section(seg, name string) *Section {
	for i := range s.Segments {
		for j := range s.Segments[i].Sections {
			if sec := &s.Segments[i].Sections[j]; sec.Seg == seg && sec.Name == name {
				return sec
			}
		}
	}
	return nil
}

func parseSlice(r io.ReaderAt, off, size int64, index int) *Slice {
	s := &Slice{Index: index, Offset: off, Size: size, r: r}
	s.Err = s.parse()
	if s.Arch == "" && s.CPU != 0 {
		s.Arch = ArchName(s.CPU, s.SubCPU)
	}
	return s
}

// parse validates the header and load commands itself, then lets go-macho
// decode the commands in decodedCommands.
func (s *Slice) parse() error {
	sr := s.Reader()
	var hdr [32]byte
	if s.Size < 28 {
		return formatErr(s.Offset, "mach_header", "slice is only %d bytes", s.Size)
	}
	n := 32
	if s.Size < 32 {
		n = 28
	}
	if _, err := sr.ReadAt(hdr[:n], 0); err != nil {
		return formatErr(s.Offset, "mach_header", "read: %v", err)
	}
	switch {
	case binary.LittleEndian.Uint32(hdr[:]) == Magic32:
		s.Order = binary.LittleEndian
	case binary.LittleEndian.Uint32(hdr[:]) == Magic64:
		s.Order, s.Is64 = binary.LittleEndian, true
	case binary.BigEndian.Uint32(hdr[:]) == Magic32:
		s.Order = binary.BigEndian
	case binary.BigEndian.Uint32(hdr[:]) == Magic64:
		s.Order, s.Is64 = binary.BigEndian, true
	default:
		return formatErr(s.Offset, "mach_header", "bad magic %#x", binary.BigEndian.Uint32(hdr[:]))
	}
	o := s.Order
	s.CPU, s.SubCPU = o.Uint32(hdr[4:]), o.Uint32(hdr[8:])
	s.Arch = ArchName(s.CPU, s.SubCPU)
	s.FileType, s.NCmds = o.Uint32(hdr[12:]), o.Uint32(hdr[16:])
	sizeofcmds := o.Uint32(hdr[20:])
	s.Flags = o.Uint32(hdr[24:])
	hdrSize := int64(28)
	if s.Is64 {
		if n < 32 {
			return formatErr(s.Offset, "mach_header_64", "slice is only %d bytes", s.Size)
		}
		hdrSize = 32
	}
	if int64(sizeofcmds) > s.Size-hdrSize || sizeofcmds > MaxLoadCommandBytes {
		return formatErr(s.Offset+20, "mach_header", "sizeofcmds %#x exceeds the slice (%#x bytes)", sizeofcmds, s.Size)
	}
	if uint64(s.NCmds)*8 > uint64(sizeofcmds) {
		return formatErr(s.Offset+16, "mach_header", "%d load commands cannot fit in sizeofcmds %#x", s.NCmds, sizeofcmds)
	}
	cmds := make([]byte, sizeofcmds)
	if _, err := sr.ReadAt(cmds, hdrSize); err != nil {
		return formatErr(s.Offset+hdrSize, "load commands", "read: %v", err)
	}
	if err := s.walkCommands(cmds, hdrSize); err != nil {
		return err
	}
	return s.decode()
}

// walkCommands checks every load command's size and the fixed-size commands
// notarylint reads, and records LC_CODE_SIGNATURE.
func (s *Slice) walkCommands(cmds []byte, base int64) error {
	o := s.Order
	pos := 0
	for i := uint32(0); i < s.NCmds; i++ {
		at := s.Offset + base + int64(pos)
		if len(cmds)-pos < 8 {
			return formatErr(at, fmt.Sprintf("load command %d", i), "truncated: %d bytes left of sizeofcmds", len(cmds)-pos)
		}
		cmd, size := o.Uint32(cmds[pos:]), o.Uint32(cmds[pos+4:])
		what := fmt.Sprintf("load command %d (%s)", i, types.LoadCmd(cmd&^0x80000000))
		if size < 8 || int64(size) > int64(len(cmds)-pos) {
			return formatErr(at, what, "cmdsize %#x outside 8..%#x", size, len(cmds)-pos)
		}
		body := cmds[pos : pos+int(size)]
		need := 0
		switch cmd {
		case LCSegment:
			need = 56
			if len(body) >= need {
				need += int(o.Uint32(body[48:])) * 68
			}
		case LCSegment64:
			need = 72
			if len(body) >= need {
				need += int(o.Uint32(body[64:])) * 80
			}
		case LCCodeSignature:
			need = 16
		case LCBuildVersion:
			need = 24
			if len(body) >= need {
				need += int(o.Uint32(body[20:])) * 8
			}
		case LCVersionMinMacOS, LCVersionMinIOS, LCVersionMinTVOS, LCVersionMinWatch, LCEncryptionInfo:
			need = 16
		case LCEncryptionInfo64:
			need = 20
		}
		if need < 0 || need > len(body) {
			return formatErr(at, what, "cmdsize %#x too small for its contents (%#x)", size, need)
		}
		if cmd == LCCodeSignature {
			if s.CodeSignature != nil {
				return formatErr(at, what, "second LC_CODE_SIGNATURE")
			}
			s.CodeSignature = &LinkEditData{CmdOffset: base + int64(pos), DataOff: o.Uint32(body[8:]), DataSize: o.Uint32(body[12:])}
		}
		pos += int(size)
	}
	return nil
}

// decode asks go-macho for the commands in decodedCommands. The input was
// validated by walkCommands; a panic is still turned into an error.
func (s *Slice) decode() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = formatErr(s.Offset, "load commands", "decoder panic: %v", p)
		}
	}()
	f, err := gomacho.NewFile(s.Reader(), gomacho.FileConfig{LoadIncluding: decodedCommands})
	if err != nil {
		return formatErr(s.Offset, "load commands", "%v", err)
	}
	for _, l := range f.Loads {
		switch c := l.(type) {
		case *gomacho.Segment:
			seg := Segment{Name: c.Name, VMAddr: c.Addr, VMSize: c.Memsz, FileOff: c.Offset, FileSize: c.Filesz}
			for _, sec := range f.Sections[c.Firstsect:min(int(c.Firstsect+c.Nsect), len(f.Sections))] {
				seg.Sections = append(seg.Sections, Section{Seg: sec.Seg, Name: sec.Name, Offset: sec.Offset, Size: sec.Size})
			}
			s.Segments = append(s.Segments, seg)
		case *gomacho.BuildVersion:
			s.BuildVersions = append(s.BuildVersions, BuildVersion{Platform: Platform(c.Platform), MinOS: Version(c.Minos), SDK: Version(c.Sdk)})
		case *gomacho.VersionMinMacOSX:
			s.VersionMins = append(s.VersionMins, VersionMin{Cmd: LCVersionMinMacOS, Version: Version(c.Version), SDK: Version(c.Sdk)})
		case *gomacho.VersionMiniPhoneOS:
			s.VersionMins = append(s.VersionMins, VersionMin{Cmd: LCVersionMinIOS, Version: Version(c.Version), SDK: Version(c.Sdk)})
		case *gomacho.VersionMinTvOS:
			s.VersionMins = append(s.VersionMins, VersionMin{Cmd: LCVersionMinTVOS, Version: Version(c.Version), SDK: Version(c.Sdk)})
		case *gomacho.VersionMinWatchOS:
			s.VersionMins = append(s.VersionMins, VersionMin{Cmd: LCVersionMinWatch, Version: Version(c.Version), SDK: Version(c.Sdk)})
		case *gomacho.EncryptionInfo:
			s.Encryption = &Encryption{Offset: c.Offset, Size: c.Size, CryptID: uint32(c.CryptID)}
		case *gomacho.EncryptionInfo64:
			s.Encryption = &Encryption{Offset: c.Offset, Size: c.Size, CryptID: uint32(c.CryptID)}
		}
	}
	return nil
}
