package analyzer

import (
	"bytes"
	"fmt"
	"io"
	"time"

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
	// Layout lists the universal file's layout problems (File.LayoutProblems).
	Layout []string
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

	// Pages holds, per CodeDirectory (in Signature.CodeDirectories order),
	// the first code page whose hash differs, or nil. PagesErr says why the
	// pages could not be checked.
	Pages    []*codesign.PageMismatch
	PagesErr error
	// Slots are the special slots whose hashes differ from the data they
	// bind.
	Slots []*codesign.SlotMismatch
	// Verified is the verdict on the CMS signature, nil when there is none.
	Verified *codesign.CMSResult
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

// verifyConfig is what signature verification needs from the run.
type verifyConfig struct {
	trust     *codesign.Trust
	now       time.Time
	jobs      int
	readXattr func(path, name string) ([]byte, error)
}

// machOFacts parses and verifies a Mach-O item: from the facts taken while
// its package payload streamed by, or from its bytes.
func (it *Item) machOFacts(vc verifyConfig) *MachOFacts {
	if mf := it.code.get(it.rel); mf != nil {
		return mf
	}
	f, err := it.open()
	if err != nil {
		return &MachOFacts{Err: fmt.Errorf("open: %w", err)}
	}
	defer f.Close()
	return loadMachOFacts(f, it.Size, vc)
}

// machOFactsOf analyses a Mach-O file held in memory and drops the file's
// hold on the bytes, so that they can be freed while the facts are kept.
func machOFactsOf(data []byte, vc verifyConfig) *MachOFacts {
	mf := loadMachOFacts(bytes.NewReader(data), int64(len(data)), vc)
	if mf.File != nil {
		mf.File.Detach()
	}
	return mf
}

func loadMachOFacts(r io.ReaderAt, size int64, vc verifyConfig) *MachOFacts {
	f, err := macho.Open(r, size)
	if err != nil {
		return &MachOFacts{Err: err}
	}
	facts := &MachOFacts{File: f, Layout: f.LayoutProblems()}
	for _, s := range f.Slices {
		sf := loadSliceFacts(s)
		sf.verify(vc)
		facts.Slices = append(facts.Slices, sf)
	}
	return facts
}

// verify checks the slice's signature: code page and special slot hashes,
// and the CMS signature with its chain and timestamp.
func (sf *SliceFacts) verify(vc verifyConfig) {
	sig := sf.Signature
	if sig == nil || len(sig.CodeDirectories) == 0 {
		return
	}
	sf.Pages, sf.PagesErr = codesign.VerifyPages(sig.CodeDirectories, sf.Reader(), sf.Size, vc.jobs)
	var infoPlist []byte
	if sec := sf.Section("__TEXT", "__info_plist"); sec != nil && sec.Size > 0 && sec.Size <= MaxSignatureSize {
		buf := make([]byte, sec.Size)
		if _, err := sf.Reader().ReadAt(buf, int64(sec.Offset)); err == nil {
			infoPlist = buf
		}
	}
	for _, cd := range sig.CodeDirectories {
		for _, slot := range []struct {
			n    int
			data []byte
		}{{codesign.SlotRequirements, sig.Requirements}, {codesign.SlotEntitlements, sig.Entitlements}, {codesign.SlotEntitlementsDER, sig.EntitlementsDER}} {
			if m := codesign.CheckSpecialSlot(cd, slot.n, slot.data); m != nil {
				sf.Slots = append(sf.Slots, m)
			}
		}
		// Slot 1 binds a standalone tool's embedded Info.plist; inside a
		// bundle it binds Contents/Info.plist, which the bundle layer checks.
		if infoPlist != nil && cd.SpecialSlot(codesign.SlotInfo) != nil {
			if m := codesign.CheckSpecialSlot(cd, codesign.SlotInfo, infoPlist); m != nil && m.Stored {
				sf.Slots = append(sf.Slots, m)
			}
		}
	}
	if len(sig.CMS) > 0 && vc.trust != nil {
		sf.Verified = codesign.VerifyCMS(sig, vc.trust, vc.now)
	}
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
