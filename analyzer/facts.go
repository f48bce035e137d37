package analyzer

import (
	"fmt"
	"io"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/macho"
)

// MaxSignatureSize bounds the LC_CODE_SIGNATURE range read into memory.
const MaxSignatureSize = 64 << 20

// MachOFacts are the parsed facts of a Mach-O item, computed once and shared
// by every rule.
type MachOFacts struct {
	// File is nil when Err is set: the file as a whole could not be parsed.
	File *macho.File
	Err  error
	// Slices has one entry per slice of File, in header order.
	Slices []*SliceFacts
}

// SliceFacts are the facts of one architecture slice.
type SliceFacts struct {
	*macho.Slice

	// Signature is the parsed embedded signature, nil when unsigned or when
	// SignatureErr says why it could not be read.
	Signature    *codesign.Signature
	SignatureErr error

	// CMS is the parsed CMS blob, nil when absent, empty or unparsable
	// (CMSErr).
	CMS    *codesign.CMS
	CMSErr error

	// Entitlements are the XML entitlements (slot 5), nil when absent or
	// malformed (EntitlementsErr).
	Entitlements    codesign.Entitlements
	EntitlementsErr error
	// EntitlementsDER are the DER entitlements (slot 7), nil when absent or
	// malformed (EntitlementsDERErr).
	EntitlementsDER    codesign.Entitlements
	EntitlementsDERErr error
}

// Signed reports whether the slice has an LC_CODE_SIGNATURE command.
func (s *SliceFacts) Signed() bool { return s.CodeSignature != nil }

// CodeDirectories returns the signature's CodeDirectories, or nil.
func (s *SliceFacts) CodeDirectories() []*codesign.CodeDirectory {
	if s.Signature == nil {
		return nil
	}
	return s.Signature.CodeDirectories
}

func loadMachOFacts(r io.ReaderAt, size int64) *MachOFacts {
	f, err := macho.Open(r, size)
	if err != nil {
		return &MachOFacts{Err: err}
	}
	facts := &MachOFacts{File: f}
	for _, s := range f.Slices {
		facts.Slices = append(facts.Slices, loadSliceFacts(s))
	}
	return facts
}

func loadSliceFacts(s *macho.Slice) *SliceFacts {
	sf := &SliceFacts{Slice: s}
	if s.Err != nil || s.CodeSignature == nil {
		return sf
	}
	cs := s.CodeSignature
	end := uint64(cs.DataOff) + uint64(cs.DataSize)
	switch {
	case end > uint64(s.Size):
		sf.SignatureErr = fmt.Errorf("LC_CODE_SIGNATURE range [%#x, %#x) runs past the slice end %#x", cs.DataOff, end, s.Size)
		return sf
	case cs.DataSize > MaxSignatureSize:
		sf.SignatureErr = fmt.Errorf("LC_CODE_SIGNATURE size %#x exceeds the %#x limit", cs.DataSize, MaxSignatureSize)
		return sf
	}
	buf := make([]byte, cs.DataSize)
	if _, err := s.Reader().ReadAt(buf, int64(cs.DataOff)); err != nil {
		sf.SignatureErr = fmt.Errorf("read code signature at %#x: %w", cs.DataOff, err)
		return sf
	}
	sig, err := codesign.Parse(buf)
	if err != nil {
		sf.SignatureErr = fmt.Errorf("code signature at file offset %#x: %w", s.Offset+int64(cs.DataOff), err)
		return sf
	}
	sf.Signature = sig
	if len(sig.CMS) > 0 {
		sf.CMS, sf.CMSErr = codesign.ParseCMS(sig.CMS)
	}
	if sig.Entitlements != nil {
		sf.Entitlements, sf.EntitlementsErr = codesign.ParseEntitlementsXML(codesign.BlobPayload(sig.Entitlements))
	}
	if sig.EntitlementsDER != nil {
		sf.EntitlementsDER, sf.EntitlementsDERErr = codesign.ParseEntitlementsDER(codesign.BlobPayload(sig.EntitlementsDER))
	}
	return sf
}
