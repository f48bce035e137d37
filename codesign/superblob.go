package codesign

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Blob magic numbers (big-endian) from Security's codedirectory.h/cs_blobs.h.
const (
	MagicRequirement      = 0xfade0c00
	MagicRequirements     = 0xfade0c01
	MagicCodeDirectory    = 0xfade0c02
	MagicEmbeddedSig      = 0xfade0cc0
	MagicDetachedSig      = 0xfade0cc1
	MagicEntitlements     = 0xfade7171
	MagicEntitlementsDER  = 0xfade7172
	MagicBlobWrapper      = 0xfade0b01
	MagicEmbeddedSigOld   = 0xfade0b02
	MagicLaunchConstraint = 0xfade8181
)

// SuperBlob slot types.
const (
	SlotCodeDirectory       = 0
	SlotInfo                = 1
	SlotRequirements        = 2
	SlotResourceDir         = 3
	SlotApplication         = 4
	SlotEntitlements        = 5
	SlotRepSpecific         = 6
	SlotEntitlementsDER     = 7
	SlotAlternateCD         = 0x1000 // first of five alternate CodeDirectories
	SlotAlternateCDLast     = 0x1004
	SlotSignature           = 0x10000
	SlotIdentificationCD    = 0x10001
	SlotTicket              = 0x10002
	maxSuperBlobCount       = 64
	superBlobHeaderSize     = 12
	superBlobIndexEntrySize = 8
)

// ParseError reports a structural problem in a signature, at an offset from
// the start of the SuperBlob.
type ParseError struct {
	Offset int
	What   string
	Msg    string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s at %#x: %s", e.What, e.Offset, e.Msg) }

func parseErr(off int, what, format string, args ...any) *ParseError {
	return &ParseError{Offset: off, What: what, Msg: fmt.Sprintf(format, args...)}
}

// BlobIndex is one entry of the SuperBlob index.
type BlobIndex struct {
	Type   uint32 // slot
	Offset uint32 // from the start of the SuperBlob
	Magic  uint32 // magic of the blob there
	Length uint32 // length of the blob there
}

// Signature is a parsed embedded signature (SuperBlob, magic 0xfade0cc0).
type Signature struct {
	Length uint32
	Index  []BlobIndex

	// CodeDirectories holds the primary CodeDirectory (slot 0) first, then the
	// alternates (0x1000..0x1004) in slot order.
	CodeDirectories []*CodeDirectory
	// Requirements is the whole requirements blob (slot 2), or nil.
	Requirements []byte
	// Entitlements is the whole XML entitlements blob (slot 5), or nil.
	Entitlements []byte
	// EntitlementsDER is the whole DER entitlements blob (slot 7), or nil.
	EntitlementsDER []byte
	// HasSignatureSlot reports a CMS wrapper blob (slot 0x10000); CMS is its
	// payload, empty for an ad-hoc signature.
	HasSignatureSlot bool
	CMS              []byte
	// Ticket is a stapled notarization ticket blob (slot 0x10002; DMG only).
	Ticket []byte

	raw []byte
}

// Raw returns the SuperBlob bytes (up to its declared length).
func (s *Signature) Raw() []byte { return s.raw }

// Blob returns the bytes of the blob in slot typ, or nil.
func (s *Signature) Blob(typ uint32) []byte {
	for _, e := range s.Index {
		if e.Type == typ {
			return s.raw[e.Offset : e.Offset+e.Length]
		}
	}
	return nil
}

// Primary returns the slot-0 CodeDirectory, or nil.
func (s *Signature) Primary() *CodeDirectory {
	if len(s.CodeDirectories) > 0 && s.CodeDirectories[0].Slot == SlotCodeDirectory {
		return s.CodeDirectories[0]
	}
	return nil
}

// IsAdhoc reports whether the signature carries no CMS signer: no signature
// slot, or an empty one.
func (s *Signature) IsAdhoc() bool { return len(s.CMS) == 0 }

// Parse parses an embedded signature SuperBlob. b may extend past the
// SuperBlob (LC_CODE_SIGNATURE ranges are padded); the SuperBlob's own length
// bounds everything read.
func Parse(b []byte) (*Signature, error) {
	if len(b) < superBlobHeaderSize {
		return nil, parseErr(0, "SuperBlob", "only %d bytes", len(b))
	}
	magic := binary.BigEndian.Uint32(b)
	if magic != MagicEmbeddedSig {
		return nil, parseErr(0, "SuperBlob", "magic %#x, want %#x", magic, MagicEmbeddedSig)
	}
	length := binary.BigEndian.Uint32(b[4:])
	count := binary.BigEndian.Uint32(b[8:])
	if length < superBlobHeaderSize || uint64(length) > uint64(len(b)) {
		return nil, parseErr(4, "SuperBlob", "length %#x outside %#x..%#x", length, superBlobHeaderSize, len(b))
	}
	if count > maxSuperBlobCount || superBlobHeaderSize+uint64(count)*superBlobIndexEntrySize > uint64(length) {
		return nil, parseErr(8, "SuperBlob", "index of %d entries does not fit in length %#x", count, length)
	}
	s := &Signature{Length: length, raw: b[:length]}
	seen := map[uint32]bool{}
	for i := 0; i < int(count); i++ {
		at := superBlobHeaderSize + i*superBlobIndexEntrySize
		e := BlobIndex{Type: binary.BigEndian.Uint32(s.raw[at:]), Offset: binary.BigEndian.Uint32(s.raw[at+4:])}
		what := fmt.Sprintf("SuperBlob index entry %d (slot %#x)", i, e.Type)
		if seen[e.Type] {
			return nil, parseErr(at, what, "duplicate slot")
		}
		seen[e.Type] = true
		if uint64(e.Offset)+8 > uint64(length) || e.Offset < superBlobHeaderSize {
			return nil, parseErr(at, what, "blob offset %#x outside the SuperBlob (length %#x)", e.Offset, length)
		}
		e.Magic = binary.BigEndian.Uint32(s.raw[e.Offset:])
		e.Length = binary.BigEndian.Uint32(s.raw[e.Offset+4:])
		if e.Type == SlotTicket && (e.Length < 8 || uint64(e.Offset)+uint64(e.Length) > uint64(length)) {
			// A stapled ticket is opaque to us; take the rest of the SuperBlob.
			e.Length = length - e.Offset
		}
		if e.Length < 8 || uint64(e.Offset)+uint64(e.Length) > uint64(length) {
			return nil, parseErr(int(e.Offset), what, "blob length %#x runs past the SuperBlob (length %#x)", e.Length, length)
		}
		s.Index = append(s.Index, e)
		if err := s.addBlob(e); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(s.CodeDirectories, func(i, j int) bool { return s.CodeDirectories[i].Slot < s.CodeDirectories[j].Slot })
	return s, nil
}

func (s *Signature) addBlob(e BlobIndex) error {
	blob := s.raw[e.Offset : e.Offset+e.Length]
	want := func(magic uint32, name string) error {
		if e.Magic != magic {
			return parseErr(int(e.Offset), name, "magic %#x, want %#x", e.Magic, magic)
		}
		return nil
	}
	switch {
	case e.Type == SlotCodeDirectory || (e.Type >= SlotAlternateCD && e.Type <= SlotAlternateCDLast):
		if err := want(MagicCodeDirectory, "CodeDirectory"); err != nil {
			return err
		}
		cd, err := parseCodeDirectory(blob, int(e.Offset))
		if err != nil {
			return err
		}
		cd.Slot = e.Type
		s.CodeDirectories = append(s.CodeDirectories, cd)
	case e.Type == SlotRequirements:
		if err := want(MagicRequirements, "requirements blob"); err != nil {
			return err
		}
		s.Requirements = blob
	case e.Type == SlotEntitlements:
		if err := want(MagicEntitlements, "entitlements blob"); err != nil {
			return err
		}
		s.Entitlements = blob
	case e.Type == SlotEntitlementsDER:
		if err := want(MagicEntitlementsDER, "DER entitlements blob"); err != nil {
			return err
		}
		s.EntitlementsDER = blob
	case e.Type == SlotSignature:
		if err := want(MagicBlobWrapper, "CMS signature blob"); err != nil {
			return err
		}
		s.HasSignatureSlot = true
		s.CMS = blob[8:]
	case e.Type == SlotTicket:
		s.Ticket = blob
	}
	return nil
}
