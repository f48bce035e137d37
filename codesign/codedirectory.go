package codesign

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"strings"
)

// CodeDirectory versions: each adds fields.
const (
	CDVersionEarliest    = 0x20001
	CDVersionScatter     = 0x20100
	CDVersionTeamID      = 0x20200
	CDVersionCodeLimit64 = 0x20300
	CDVersionExecSeg     = 0x20400
	CDVersionRuntime     = 0x20500
	CDVersionLinkage     = 0x20600
)

// CodeDirectory flags (codesign -dv "flags=").
const (
	FlagHost          = 0x1
	FlagAdhoc         = 0x2
	FlagForceHard     = 0x100
	FlagForceKill     = 0x200
	FlagForceExpiry   = 0x400
	FlagRestrict      = 0x800
	FlagEnforcement   = 0x1000
	FlagLibValidation = 0x2000
	FlagRuntime       = 0x10000
	FlagLinkerSigned  = 0x20000
)

var flagNames = []struct {
	bit  uint32
	name string
}{
	{FlagHost, "host"}, {FlagAdhoc, "adhoc"}, {FlagForceHard, "hard"}, {FlagForceKill, "kill"},
	{FlagForceExpiry, "expires"}, {FlagRestrict, "restrict"}, {FlagEnforcement, "enforcement"},
	{FlagLibValidation, "library-validation"}, {FlagRuntime, "runtime"}, {FlagLinkerSigned, "linker-signed"},
}

// FlagString formats flags as codesign does: "0x10000(runtime)".
func FlagString(flags uint32) string {
	var names []string
	for _, f := range flagNames {
		if flags&f.bit != 0 {
			names = append(names, f.name)
		}
	}
	if len(names) == 0 {
		return fmt.Sprintf("%#x(none)", flags)
	}
	return fmt.Sprintf("%#x(%s)", flags, strings.Join(names, ","))
}

// Hash types.
const (
	HashSHA1            = 1
	HashSHA256          = 2
	HashSHA256Truncated = 3
	HashSHA384          = 4
)

// HashTypeName returns "sha1", "sha256", "sha256-truncated" or "sha384".
func HashTypeName(t uint8) string {
	switch t {
	case HashSHA1:
		return "sha1"
	case HashSHA256:
		return "sha256"
	case HashSHA256Truncated:
		return "sha256-truncated"
	case HashSHA384:
		return "sha384"
	}
	return fmt.Sprintf("hash(%d)", t)
}

// NewHash returns a hash for a CodeDirectory hash type and the number of
// bytes of its output a CodeDirectory stores, or nil for an unknown type.
func NewHash(t uint8) (hash.Hash, int) {
	switch t {
	case HashSHA1:
		return sha1.New(), sha1.Size
	case HashSHA256:
		return sha256.New(), sha256.Size
	case HashSHA256Truncated:
		return sha256.New(), 20
	case HashSHA384:
		return sha512.New384(), sha512.Size384
	}
	return nil, 0
}

// CodeDirectory is a parsed CodeDirectory blob (magic 0xfade0c02).
type CodeDirectory struct {
	Slot   uint32 // SuperBlob slot: 0, or 0x1000.. for alternates
	Offset int    // offset of the blob in the SuperBlob

	Version       uint32
	Flags         uint32
	HashOffset    uint32
	IdentOffset   uint32
	NSpecialSlots uint32
	NCodeSlots    uint32
	CodeLimit     uint64 // codeLimit64 when set (version >= 0x20300), else codeLimit
	HashSize      uint8
	HashType      uint8
	Platform      uint8
	PageSizeLog2  uint8

	Identifier string
	TeamID     string // version >= 0x20200

	ExecSegBase, ExecSegLimit, ExecSegFlags uint64 // version >= 0x20400
	Runtime                                 uint32 // version >= 0x20500

	Raw []byte // the whole blob
}

// maxCodeDirectorySlots bounds nCodeSlots; 2^24 pages of 4 KiB is 64 GiB.
const maxCodeDirectorySlots = 1 << 24

func parseCodeDirectory(b []byte, base int) (*CodeDirectory, error) {
	const fixed = 44 // up to and including spare2
	if len(b) < fixed {
		return nil, parseErr(base, "CodeDirectory", "blob of %d bytes is shorter than its %d-byte header", len(b), fixed)
	}
	be := binary.BigEndian
	cd := &CodeDirectory{
		Offset:        base,
		Raw:           b,
		Version:       be.Uint32(b[8:]),
		Flags:         be.Uint32(b[12:]),
		HashOffset:    be.Uint32(b[16:]),
		IdentOffset:   be.Uint32(b[20:]),
		NSpecialSlots: be.Uint32(b[24:]),
		NCodeSlots:    be.Uint32(b[28:]),
		CodeLimit:     uint64(be.Uint32(b[32:])),
		HashSize:      b[36],
		HashType:      b[37],
		Platform:      b[38],
		PageSizeLog2:  b[39],
	}
	bad := func(field int, format string, args ...any) error {
		return parseErr(base+field, fmt.Sprintf("CodeDirectory (version %#x)", cd.Version), format, args...)
	}
	if cd.Version < CDVersionEarliest || cd.Version>>16 != 2 {
		return nil, bad(8, "unsupported version %#x", cd.Version)
	}
	// Version-dependent fields; each must fit in the blob.
	field := func(off, size int) ([]byte, bool) {
		if off+size > len(b) {
			return nil, false
		}
		return b[off : off+size], true
	}
	if cd.Version >= CDVersionTeamID {
		v, ok := field(48, 4)
		if !ok {
			return nil, bad(48, "blob too short for teamOffset")
		}
		if off := be.Uint32(v); off != 0 {
			team, err := cstringAt(b, off)
			if err != nil {
				return nil, bad(48, "teamOffset %#x: %v", off, err)
			}
			cd.TeamID = team
		}
	}
	if cd.Version >= CDVersionCodeLimit64 {
		v, ok := field(56, 8)
		if !ok {
			return nil, bad(56, "blob too short for codeLimit64")
		}
		if l := be.Uint64(v); l != 0 {
			cd.CodeLimit = l
		}
	}
	if cd.Version >= CDVersionExecSeg {
		v, ok := field(64, 24)
		if !ok {
			return nil, bad(64, "blob too short for execSeg fields")
		}
		cd.ExecSegBase, cd.ExecSegLimit, cd.ExecSegFlags = be.Uint64(v), be.Uint64(v[8:]), be.Uint64(v[16:])
	}
	if cd.Version >= CDVersionRuntime {
		v, ok := field(88, 8)
		if !ok {
			return nil, bad(88, "blob too short for runtime fields")
		}
		cd.Runtime = be.Uint32(v)
	}
	if _, size := NewHash(cd.HashType); size == 0 {
		return nil, bad(37, "unknown hash type %d", cd.HashType)
	} else if int(cd.HashSize) != size {
		return nil, bad(36, "hash size %d does not match %s (%d)", cd.HashSize, HashTypeName(cd.HashType), size)
	}
	if cd.NCodeSlots > maxCodeDirectorySlots || cd.NSpecialSlots > 64 {
		return nil, bad(24, "slot counts %d special, %d code are absurd", cd.NSpecialSlots, cd.NCodeSlots)
	}
	hashStart := uint64(cd.HashOffset) - uint64(cd.NSpecialSlots)*uint64(cd.HashSize)
	hashEnd := uint64(cd.HashOffset) + uint64(cd.NCodeSlots)*uint64(cd.HashSize)
	if uint64(cd.HashOffset) < uint64(cd.NSpecialSlots)*uint64(cd.HashSize) || hashStart < fixed || hashEnd > uint64(len(b)) {
		return nil, bad(16, "hash slots [%#x, %#x) outside the blob (length %#x)", hashStart, hashEnd, len(b))
	}
	if cd.PageSizeLog2 != 0 && (cd.PageSizeLog2 < 9 || cd.PageSizeLog2 > 24) {
		return nil, bad(39, "page size 2^%d is absurd", cd.PageSizeLog2)
	}
	ident, err := cstringAt(b, cd.IdentOffset)
	if err != nil {
		return nil, bad(20, "identOffset %#x: %v", cd.IdentOffset, err)
	}
	cd.Identifier = ident
	return cd, nil
}

func cstringAt(b []byte, off uint32) (string, error) {
	if uint64(off) >= uint64(len(b)) {
		return "", fmt.Errorf("outside the blob (length %#x)", len(b))
	}
	rest := b[off:]
	for i, c := range rest {
		if c == 0 {
			return string(rest[:i]), nil
		}
	}
	return "", fmt.Errorf("string is not NUL-terminated")
}

// PageSize returns the code page size in bytes, or 0 for "one page covering
// everything up to the code limit".
func (cd *CodeDirectory) PageSize() int {
	if cd.PageSizeLog2 == 0 {
		return 0
	}
	return 1 << cd.PageSizeLog2
}

// HashName returns the hash type's name.
func (cd *CodeDirectory) HashName() string { return HashTypeName(cd.HashType) }

// CDHash returns the code directory hash as Apple computes it: the digest of
// the whole CodeDirectory blob with the CodeDirectory's hash type, truncated
// to 20 bytes. It is what `codesign -dvvv` prints as CDHash and what notary
// logs list in ticketContents.
func (cd *CodeDirectory) CDHash() []byte {
	h, _ := NewHash(cd.HashType)
	h.Write(cd.Raw)
	return h.Sum(nil)[:20]
}

// CodeSlot returns the stored hash of code page i.
func (cd *CodeDirectory) CodeSlot(i int) []byte {
	off := int(cd.HashOffset) + i*int(cd.HashSize)
	return cd.Raw[off : off+int(cd.HashSize)]
}

// SpecialSlot returns the stored hash of special slot n (1 = Info.plist,
// 2 = requirements, 3 = resources, 5 = entitlements, 7 = DER entitlements),
// or nil when the CodeDirectory has fewer special slots.
func (cd *CodeDirectory) SpecialSlot(n int) []byte {
	if n < 1 || n > int(cd.NSpecialSlots) {
		return nil
	}
	off := int(cd.HashOffset) - n*int(cd.HashSize)
	return cd.Raw[off : off+int(cd.HashSize)]
}

// IsAdhoc reports the adhoc flag.
func (cd *CodeDirectory) IsAdhoc() bool { return cd.Flags&FlagAdhoc != 0 }

// IsLinkerSigned reports the linker-signed flag.
func (cd *CodeDirectory) IsLinkerSigned() bool { return cd.Flags&FlagLinkerSigned != 0 }

// HasRuntime reports the hardened-runtime flag.
func (cd *CodeDirectory) HasRuntime() bool { return cd.Flags&FlagRuntime != 0 }

// ParseCodeDirectory parses a standalone CodeDirectory blob, as codesign
// stores it for non-Mach-O code in the extended attribute
// com.apple.cs.CodeDirectory or in a bundle's _CodeSignature/CodeDirectory.
func ParseCodeDirectory(b []byte) (*CodeDirectory, error) {
	if len(b) < 8 || binary.BigEndian.Uint32(b) != MagicCodeDirectory {
		return nil, parseErr(0, "CodeDirectory", "bad magic")
	}
	n := binary.BigEndian.Uint32(b[4:])
	if n < 8 || uint64(n) > uint64(len(b)) {
		return nil, parseErr(4, "CodeDirectory", "length %#x outside the %d bytes given", n, len(b))
	}
	return parseCodeDirectory(b[:n], 0)
}
