package rules

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
)

// TicketForOtherBuild reports code whose cdhash is not the one the notary
// log's ticket lists for it: it was re-signed or changed after
// notarization, and stapling fails with Error 65.
var TicketForOtherBuild = &analyzer.Rule{
	ID:       "NL8003",
	Name:     "ticket-for-other-build",
	Severity: analyzer.Error,
	Kinds:    []analyzer.Kind{analyzer.KindMachO, analyzer.KindBundle, analyzer.KindPackage, analyzer.KindDiskImage},
	Doc: analyzer.Doc{
		Title: "code differs from what was notarized",
		Why: "A ticket covers cdhashes: the hash of each code item's CodeDirectory, per architecture, as the notary " +
			"log's ticketContents lists them. Code re-signed or rebuilt after notarization has another cdhash, so " +
			"the stapler finds no ticket for it (Error 65, \"Record not found\") and Gatekeeper treats it as not " +
			"notarized. A flat package's own entry is compared with its TOC checksum, the key its ticket is filed " +
			"under (inferred from the stapler's record names). Checked only with --notary-log, against the log of " +
			"the submission.",
		AppleMessages: []string{"CloudKit query for X (2/…) failed due to \"Record not found\".",
			"Could not find base64 encoded ticket in response for 2/…", "The staple and validate action failed! Error 65."},
		Fix:     "Staple exactly what was notarized; if the code had to change, notarize the new build and staple that.",
		Sources: []string{"stapler(1)", "rcodesign stapling.rs", "notary log ticketContents"},
	},
	Check: func(p *analyzer.Pass) {
		want := p.Notarized()
		if len(want) == 0 {
			return
		}
		if pk := p.Package(); pk != nil {
			checkPackageTicket(p, pk, want)
			return
		}
		if f := p.DiskImage(); f != nil {
			checkDiskImageTicket(p, f, want)
			return
		}
		var slices []*analyzer.SliceFacts
		if m := p.MachO(); m != nil {
			slices = m.Slices
		} else if b := p.Bundle(); b != nil && b.Main != nil {
			slices = b.Main.Slices
		}
		for _, s := range slices {
			if s.Err != nil {
				continue
			}
			var listed []analyzer.NotarizedItem
			for _, n := range want {
				if n.Arch == s.Arch {
					listed = append(listed, n)
				}
			}
			if len(listed) == 0 {
				continue
			}
			found := cdhashes(s)
			if found == nil {
				p.Reportf(s.Arch, "the ticket lists cdhash %s for this %s slice, which is no longer signed: stapling will fail with Error 65", listed[0].CDHash, s.Arch)
				continue
			}
			match := false
			for _, n := range listed {
				match = match || found[digestName(n.DigestAlgorithm)] == strings.ToLower(n.CDHash)
			}
			if !match {
				n := listed[0]
				p.Reportf(s.Arch, "the ticket lists cdhash %s (%s) for this %s slice, but it has %s: it was re-signed or changed after notarization, so stapling will fail with Error 65 (\"Record not found\")",
					n.CDHash, n.DigestAlgorithm, s.Arch, found[digestName(n.DigestAlgorithm)])
			}
		}
	},
}

// checkPackageTicket compares a package's TOC checksum with the log's entry
// for the package.
func checkPackageTicket(p *analyzer.Pass, pk *analyzer.PackageFacts, want []analyzer.NotarizedItem) {
	if pk.Pkg == nil || len(pk.Pkg.Xar.TOCChecksum) < 20 {
		return
	}
	found := hex.EncodeToString(pk.Pkg.Xar.TOCChecksum[:20])
	for _, n := range want {
		if strings.EqualFold(n.CDHash, found) {
			return
		}
	}
	p.Reportf("", "the ticket lists %s for this package, but its table of contents checksum is %s: it was rebuilt or re-signed after notarization, so stapling will fail with Error 65 (\"Record not found\")",
		want[0].CDHash, found)
}

// checkDiskImageTicket compares a disk image's cdhash with the log's entry
// for the image.
func checkDiskImageTicket(p *analyzer.Pass, f *analyzer.DiskImageFacts, want []analyzer.NotarizedItem) {
	if f.Image == nil || f.SignatureErr != nil {
		return
	}
	found := f.CDHashes()
	if found == nil {
		return // an unsigned image: its ticket's key is not a CodeDirectory's hash we can recompute
	}
	for _, n := range want {
		if found[digestName(n.DigestAlgorithm)] == strings.ToLower(n.CDHash) {
			return
		}
	}
	n := want[0]
	p.Reportf("", "the ticket lists cdhash %s (%s) for this disk image, but its signature has %s: it was re-signed or changed after notarization, so stapling will fail with Error 65 (\"Record not found\")",
		n.CDHash, n.DigestAlgorithm, found[digestName(n.DigestAlgorithm)])
}

// cdhashes returns a slice's cdhashes by hash name ("sha256", "sha1"), or
// nil when it is not signed.
func cdhashes(s *analyzer.SliceFacts) map[string]string {
	if s.Signature == nil || len(s.Signature.CodeDirectories) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, cd := range s.Signature.CodeDirectories {
		out[cd.HashName()] = hex.EncodeToString(cd.CDHash())
	}
	return out
}

// digestName maps a log's digestAlgorithm ("SHA-256") to a CodeDirectory
// hash name ("sha256").
func digestName(alg string) string {
	switch strings.ToUpper(strings.ReplaceAll(alg, "-", "")) {
	case "SHA1":
		return codesign.HashTypeName(codesign.HashSHA1)
	case "SHA256":
		return codesign.HashTypeName(codesign.HashSHA256)
	}
	return fmt.Sprintf("unknown(%s)", alg)
}

// UploadChanged reports an upload whose bytes are not those the notary log
// was made for.
var UploadChanged = &analyzer.Rule{
	ID:       "NL8004",
	Name:     "upload-changed",
	Severity: analyzer.Warning,
	Kinds:    []analyzer.Kind{analyzer.KindMachO, analyzer.KindArchive, analyzer.KindPackage},
	Doc: analyzer.Doc{
		Title: "file differs from the upload the notary log describes",
		Why: "The notary log records the SHA-256 of the uploaded file. A file of the same name with other bytes was " +
			"changed or rebuilt after submission, so the log (and its ticket) may not describe it; the cdhash " +
			"comparison (ticket-for-other-build) says whether its code still matches. Stapling changes a package's " +
			"bytes, so for a stapled package this is only info. Checked only with --notary-log.",
		Fix:     "Compare with the exact file that was submitted; if it was rebuilt, notarize the new one.",
		Sources: []string{"notary log sha256 field"},
	},
	Check: func(p *analyzer.Pass) {
		got, want := p.InputSHA256()
		if got == "" || strings.EqualFold(got, want) {
			return
		}
		f := analyzer.Finding{Message: fmt.Sprintf("SHA-256 %s, but the notary log's upload has %s", got, strings.ToLower(want))}
		if pk := p.Package(); pk != nil && pk.Pkg != nil && pk.Pkg.Ticket != nil {
			f.Message += " (expected: stapling the ticket changed the file)"
			p.ReportInfo(f)
			return
		}
		p.Report(f)
	},
}
