package analyzer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/macho"
)

// BundleFacts are the facts of a bundle item.
type BundleFacts struct {
	*bundle.Bundle
	// SealProblems are the differences between the bundle and its seal;
	// VerifyErr says why the seal could not be checked (no v2 seal).
	SealProblems []bundle.Problem
	VerifyErr    error
	// Structure are the layout problems.
	Structure []bundle.StructureProblem
	// Main is the main executable's code, when it is a readable Mach-O.
	Main *CodeInfo
	// Slots are the main executable's special slots -1 (Info.plist) and -3
	// (CodeResources) that do not match the bundle's files.
	Slots []*codesign.SlotMismatch
	// ExecutableMissing reports that CFBundleExecutable names nothing.
	ExecutableMissing bool
	// Stapled reports a regular file at Contents/CodeResources, where the
	// stapler puts the notarization ticket.
	Stapled bool
	// Libraries are the libraries and plug-ins this bundle's executable
	// loads in-process (dylibs and bundles anywhere in the bundle, outside
	// nested apps, XPC services, app extensions and login items, which run
	// as processes of their own), for library validation. Set only when
	// the main executable is signed with the hardened runtime and without
	// com.apple.security.cs.disable-library-validation.
	Libraries []LibraryCode
	// MainTeam is the main executable's team ID.
	MainTeam string
	// BadVersions describe framework versions other than Current that do
	// not verify, one line each.
	BadVersions []string
	// Late are the Mach-O files the seal check found among the sealed
	// resources (discovery leaves those to it); they become items of their
	// own after the bundle.
	Late []*Item
	// Profile is Contents/embedded.provisionprofile, nil when absent or
	// unreadable (ProfileErr).
	Profile    *bundle.Profile
	ProfileErr error
}

// Entitlements returns the main executable's entitlements (XML and DER, all
// slices merged), or nil.
func (bf *BundleFacts) Entitlements() codesign.Entitlements {
	if bf.Main == nil {
		return nil
	}
	out := codesign.Entitlements{}
	for _, s := range bf.Main.Slices {
		for _, e := range []codesign.Entitlements{s.Entitlements, s.EntitlementsDER} {
			for k, v := range e {
				out[k] = v
			}
		}
	}
	return out
}

// LibraryCode is a library loaded into the bundle's process.
type LibraryCode struct {
	Path   string // in the input's file system
	Team   string // CodeDirectory team ID, "" when none
	Signed bool
	Adhoc  bool
}

// ownProcessExtensions are nested bundles that run as processes of their own.
var ownProcessExtensions = []string{".app", ".xpc", ".appex", ".systemextension"}

// CodeInfo is what a bundle needs to know of a Mach-O file without verifying
// it: its slices' parsed signatures.
type CodeInfo struct {
	Path   string // in the input's file system
	Slices []*SliceFacts
	Err    error
}

// Signed reports whether every slice has a parsed signature.
func (c *CodeInfo) Signed() bool {
	if c == nil || c.Err != nil || len(c.Slices) == 0 {
		return false
	}
	for _, s := range c.Slices {
		if s.Signature == nil {
			return false
		}
	}
	return true
}

// CodeDirectories returns the CodeDirectories of every slice.
func (c *CodeInfo) CodeDirectories() []*codesign.CodeDirectory {
	var out []*codesign.CodeDirectory
	if c == nil {
		return nil
	}
	for _, s := range c.Slices {
		out = append(out, s.CodeDirectories()...)
	}
	return out
}

// readCode opens a Mach-O file of the input and parses its signatures.
func readCode(it *Item, rel string) *CodeInfo {
	if mf := it.code.get(rel); mf != nil {
		return &CodeInfo{Path: rel, Slices: mf.Slices, Err: mf.Err}
	}
	ci := &CodeInfo{Path: rel}
	f, size, err := it.openFile(rel)
	if err != nil {
		ci.Err = err
		return ci
	}
	defer f.Close()
	m, err := macho.Open(f, size)
	if err != nil {
		ci.Err = err
		return ci
	}
	for _, s := range m.Slices {
		ci.Slices = append(ci.Slices, loadSliceFacts(s))
	}
	return ci
}

// isMachOFile tells whether a file of the input is Mach-O: from discovery's
// findings when there are any, else by sniffing it.
func isMachOFile(it *Item, rel string) bool {
	if it.machos != nil {
		return it.machos.has(rel)
	}
	f, err := it.fsys.Open(rel)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	head := make([]byte, min(st.Size(), sniffSize))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return macho.Detect(head, st.Size()) != macho.NotMachO
}

func loadBundleFacts(it *Item, vc verifyConfig) *BundleFacts {
	b := it.bundle
	bf := &BundleFacts{Bundle: b}
	if b.Executable != "" {
		fi, err := fs.Lstat(it.fsys, b.Executable)
		bf.ExecutableMissing = err != nil
		if err == nil && fi.Mode().IsRegular() && isMachOFile(it, b.Executable) {
			bf.Main = readCode(it, b.Executable)
		}
	}
	if fi, err := fs.Lstat(it.fsys, path.Join(b.Content, "CodeResources")); err == nil && fi.Mode().IsRegular() {
		bf.Stapled = true
	}
	// Only hashes the signature stores are judged: a main executable signed
	// as a bare file (slots -1 and -3 empty) is reported by the signature
	// rules, and whether Apple rejects an unbound Info.plist is not known.
	for _, cd := range bf.Main.CodeDirectories() {
		for _, slot := range []struct {
			n    int
			data []byte
		}{{codesign.SlotInfo, b.InfoRaw}, {codesign.SlotResourceDir, b.SealRaw}} {
			if m := codesign.CheckSpecialSlot(cd, slot.n, slot.data); m != nil && m.Stored {
				bf.Slots = append(bf.Slots, m)
			}
		}
	}
	if raw, err := bundle.ReadRegular(it.fsys, path.Join(b.Content, bundle.ProfileName)); err == nil {
		bf.Profile, bf.ProfileErr = bundle.ParseProfile(raw)
	} else if !errors.Is(err, fs.ErrNotExist) {
		bf.ProfileErr = err
	}
	isMachO := func(p string) bool { return isMachOFile(it, p) }
	// The seal check runs first: it also finds the Mach-O files among the
	// resources that discovery left to it, which the later checks ask about.
	if b.Seal == nil || !b.Seal.HasV2() {
		bf.VerifyErr = fmt.Errorf("no version 2 seal")
	} else {
		var mu sync.Mutex
		bf.SealProblems, bf.VerifyErr = b.Verify(it.fsys, bundle.VerifyOptions{
			Workers: vc.jobs,
			Nested: func(p string, isDir bool) (bundle.NestedCode, bool) {
				return nestedCode(it, p, isDir, isMachO, vc.readXattr)
			},
			Sniff: func(p string, head []byte, size int64) {
				// Copy: the seal check reuses its buffers.
				found := it.disc.found(it, it, p, append([]byte(nil), head...), size)
				mu.Lock()
				bf.Late = append(bf.Late, found...)
				mu.Unlock()
			},
			Whole: func(p string, head []byte, size int64) func([]byte) {
				// Where reading again means decompressing again (a disk
				// image), code is analysed from the bytes the seal hashed.
				if it.code == nil || sniff(head, size) != KindMachO {
					return nil
				}
				return func(data []byte) {
					it.code.put(p, machOFactsOf(data, vc))
				}
			},
		})
		sort.Slice(bf.Late, func(i, j int) bool { return bf.Late[i].Path < bf.Late[j].Path })
	}
	bf.Structure = b.Structure(it.fsys, isMachO, func(p string) string { return detritus(it, p, vc.readXattr) })
	bf.findLibraries(it, isMachO)
	for _, v := range b.OtherVersions(it.fsys) {
		if why := verifyVersion(it, v, vc, isMachO); why != "" {
			bf.BadVersions = append(bf.BadVersions, v.Content+": "+why)
		}
	}
	return bf
}

// nestedCode describes the nested code at p for the seal verifier.
func nestedCode(it *Item, p string, isDir bool, isMachO func(string) bool, readXattr func(path, name string) ([]byte, error)) (bundle.NestedCode, bool) {
	exe := p
	if isDir {
		nb, ok := bundle.Detect(it.fsys, p)
		if !ok {
			return bundle.NestedCode{}, false
		}
		if nb.Executable == "" {
			return bundle.NestedCode{Signed: nb.SealRaw != nil}, true
		}
		exe = nb.Executable
	}
	if !isMachO(exe) {
		// Non-Mach-O code is signed into extended attributes.
		cds := xattrCode(it, exe, readXattr)
		if len(cds) == 0 {
			return bundle.NestedCode{}, false
		}
		nc := bundle.NestedCode{Signed: true, Data: true, Identifier: cds[0].Identifier, TeamID: cds[0].TeamID}
		for _, cd := range cds {
			nc.CDHashes = append(nc.CDHashes, cd.CDHash())
		}
		nc.Modified = verifyDataPages(it, exe, cds)
		return nc, true
	}
	ci := readCode(it, exe)
	nc := bundle.NestedCode{Signed: ci.Signed()}
	for _, cd := range ci.CodeDirectories() {
		nc.CDHashes = append(nc.CDHashes, cd.CDHash())
		if cd.Slot == codesign.SlotCodeDirectory && nc.Identifier == "" {
			nc.Identifier, nc.TeamID = cd.Identifier, cd.TeamID
		}
	}
	return nc, true
}

// findLibraries fills Libraries when library validation applies.
func (bf *BundleFacts) findLibraries(it *Item, isMachO func(string) bool) {
	main := bf.Main
	if !main.Signed() {
		return
	}
	for _, s := range main.Slices {
		if s.FileType != macho.TypeExecute {
			return
		}
		for _, cd := range s.CodeDirectories() {
			if !cd.HasRuntime() {
				return
			}
			bf.MainTeam = cd.TeamID
		}
		if s.Entitlements.Bool("com.apple.security.cs.disable-library-validation") ||
			s.EntitlementsDER.Bool("com.apple.security.cs.disable-library-validation") {
			return
		}
	}
	fs.WalkDir(it.fsys, bf.Content, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			for _, ext := range ownProcessExtensions {
				if strings.HasSuffix(d.Name(), ext) && p != bf.Dir {
					return fs.SkipDir
				}
			}
			if strings.HasSuffix(p, "/Library/LoginItems") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || p == bf.Executable || !isMachO(p) {
			return nil
		}
		ci := readCode(it, p)
		if ci.Err != nil || len(ci.Slices) == 0 {
			return nil
		}
		lib := LibraryCode{Path: p, Signed: ci.Signed()}
		for _, s := range ci.Slices {
			if s.FileType != macho.TypeDylib && s.FileType != macho.TypeBundle {
				return nil
			}
			if s.Signature != nil {
				lib.Adhoc = lib.Adhoc || s.Signature.IsAdhoc()
				if cd := s.Signature.Primary(); cd != nil && cd.TeamID != "" {
					lib.Team = cd.TeamID
				}
			}
		}
		bf.Libraries = append(bf.Libraries, lib)
		return nil
	})
}

// verifyVersion checks another version of a framework: its executable must
// be signed, bind its Info.plist and seal, and the seal must verify.
func verifyVersion(it *Item, v *bundle.Bundle, vc verifyConfig, isMachO func(string) bool) string {
	switch {
	case v.InfoErr != nil:
		return "Info.plist: " + v.InfoErr.Error()
	case v.SealErr != nil:
		return v.SealErr.Error()
	case v.Seal == nil:
		return "not sealed (no _CodeSignature/CodeResources)"
	case v.Executable == "" || !isMachO(v.Executable):
		return "no Mach-O executable"
	}
	code := readCode(it, v.Executable)
	if !code.Signed() {
		return "its executable is not signed"
	}
	for _, cd := range code.CodeDirectories() {
		if m := codesign.CheckSpecialSlot(cd, codesign.SlotResourceDir, v.SealRaw); m != nil && m.Stored {
			return "its executable does not bind its CodeResources (special slot -3)"
		}
	}
	problems, err := v.Verify(it.fsys, bundle.VerifyOptions{Workers: vc.jobs,
		Nested: func(p string, isDir bool) (bundle.NestedCode, bool) {
			return nestedCode(it, p, isDir, isMachO, vc.readXattr)
		}})
	if err != nil {
		return err.Error()
	}
	if len(problems) > 0 {
		return fmt.Sprintf("%d sealed resources differ (first: %s %s)", len(problems), problems[0].Kind, problems[0].Path)
	}
	return ""
}

// verifyDataPages checks a data file's bytes against the page hashes of the
// CodeDirectories stored in its extended attributes.
func verifyDataPages(it *Item, rel string, cds []*codesign.CodeDirectory) string {
	f, size, err := it.openFile(rel)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	bad, err := codesign.VerifyPages(cds, f, size, 1)
	if err != nil {
		return err.Error()
	}
	for _, m := range bad {
		if m != nil {
			return fmt.Sprintf("page %d (offset %#x) does not match CodeDirectory %s", m.Page, m.Offset, m.CD.HashName())
		}
	}
	return ""
}
