package rules

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/codesign"
)

var diskImageKinds = []analyzer.Kind{analyzer.KindDiskImage}

const (
	dmgSignCommand = "`codesign -s \"Developer ID Application: NAME (TEAMID)\" --timestamp -i com.example.App App.dmg`"
	packagingDoc   = "Apple, Packaging Mac software for distribution"
)

// openedImage returns the facts of a UDIF image that could be opened, or
// nil.
func openedImage(p *analyzer.Pass) *analyzer.DiskImageFacts {
	if f := p.DiskImage(); f != nil && f.Image != nil {
		return f
	}
	return nil
}

// DMGNotUDIF reports disk images the notary service does not accept: not
// UDIF (raw, ISO, sparse, encrypted) or with a damaged trailer.
var DMGNotUDIF = &analyzer.Rule{
	ID:       "NL7001",
	Name:     "dmg-not-udif",
	Severity: analyzer.Error,
	Kinds:    []analyzer.Kind{analyzer.KindDiskImage, analyzer.KindDirectory},
	Doc: analyzer.Doc{
		Title: "disk image is not a UDIF image",
		Why: "notarytool accepts disk images only as UDIF: a file ending in a 512-byte 'koly' trailer of version 4. " +
			"Raw and ISO images, sparse images and sparse bundles, encrypted images and images whose trailer is " +
			"damaged are refused or cannot be opened. notarylint looks at the trailer (and the first bytes for " +
			"encrypted and sparse images); a file is taken for a disk image by its trailer, or by a .dmg name when " +
			"it has none. Reported for the upload itself; such an image inside it is reported as not analysed " +
			"(dmg-contents-not-analyzed).",
		AppleMessages: []string{"notarytool accepts only UDIF disk images"},
		Fix:           "Convert it: `hdiutil convert In.dmg -format UDZO -o Out.dmg` (from a sparse bundle or image as well), then sign it.",
		Sources:       []string{"notarytool(1)", "rcodesign dmg.rs", "Security: diskimagerep.cpp"},
	},
	Check: func(p *analyzer.Pass) {
		if p.Item.Kind == analyzer.KindDirectory {
			if p.Item.TopLevel() && strings.EqualFold(path.Ext(p.Item.Path), ".sparsebundle") {
				p.Reportf("", "a sparse bundle is a directory of bands, not a UDIF image")
			}
			return
		}
		if f := p.DiskImage(); f != nil && f.NotUDIF != "" && p.Item.TopLevel() {
			p.Reportf("", "not a UDIF disk image: %s", f.NotUDIF)
		}
	},
}

// dmgLeaf returns the verdict on a disk image's CMS signature when it
// parsed and names its signer, or nil.
func dmgLeaf(f *analyzer.DiskImageFacts) *codesign.CMSResult {
	if v := f.Verified; v != nil && v.Err == nil && v.Leaf != nil {
		return v
	}
	return nil
}

// DMGUnsigned reports disk images that are not signed with a timestamped
// Developer ID Application signature.
var DMGUnsigned = &analyzer.Rule{
	ID:       "NL7002",
	Name:     "dmg-unsigned",
	Severity: analyzer.Warning,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "disk image is not signed with a timestamped Developer ID Application signature",
		Why: "Apple asks that a distributed disk image be signed with the Developer ID Application identity (the " +
			"code-signing one, with a secure timestamp). An unsigned image is notarized through the code inside " +
			"it, but Gatekeeper's check of the image (`spctl -a -t open --context context:primary-signature`) " +
			"rejects it. Ad-hoc signatures, other " +
			"certificates and signatures without a timestamp fall short the same way. Checked on the image given " +
			"on the command line; inferred from Apple's packaging guide, hence a warning.",
		AppleMessages: []string{"rejected", "source=no usable signature"},
		Fix:           "Sign the image after creating it: " + dmgSignCommand + ", then notarize and staple it.",
		Sources:       []string{packagingDoc, "xcnotary src/precheck/dmg.rs", "rcodesign stapling.rs (DmgStapleNoSignature)"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedImage(p)
		if f == nil || !p.Item.TopLevel() || f.SignatureErr != nil {
			return
		}
		switch {
		case f.Signature == nil && f.Ticket != nil:
			p.Reportf("", "the disk image is not signed (it carries a stapled ticket)")
		case f.Signature == nil:
			p.Reportf("", "the disk image is not signed")
		case len(f.Signature.CMS) == 0:
			p.Reportf("", "the disk image is only ad-hoc signed")
		default:
			v := dmgLeaf(f)
			if v == nil {
				return // dmg-signature-invalid
			}
			switch v.LeafKind {
			case codesign.CertDeveloperIDApplication:
			case codesign.CertDeveloperIDInstaller, codesign.CertMacAppStoreInstaller:
				return // dmg-installer-cert
			default:
				p.Reportf("", "the disk image is signed with %s (%s), not Developer ID Application", certName(v.Leaf), v.LeafKind)
				return
			}
			if v.Chain.Err != nil {
				p.Reportf("", "the disk image's certificate %s does not chain to Apple Root CA: %v", certName(v.Leaf), v.Chain.Err)
			}
			if v.Timestamp == nil || !v.Timestamp.Valid() {
				p.Reportf("", "the disk image's signature has no valid secure timestamp")
			}
		}
	},
}

// DMGInstallerCert reports disk images signed with an installer identity.
var DMGInstallerCert = &analyzer.Rule{
	ID:       "NL7003",
	Name:     "dmg-installer-cert",
	Severity: analyzer.Error,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "disk image is signed with an installer certificate (inferred)",
		Why: "Disk images are code-signed: Apple says to use the Developer ID Application identity, \"a " +
			"code-signing identity, not an installer-signing identity\". A Developer ID Installer certificate " +
			"(extension 1.2.840.113635.100.6.1.14) signs flat packages only. Inferred from Apple's packaging " +
			"guide.",
		AppleMessages: []string{"The binary is not signed with a valid Developer ID certificate."},
		Fix:           "Re-sign the image with the Developer ID Application identity: `codesign -f " + strings.TrimPrefix(dmgSignCommand, "`codesign "),
		Sources:       []string{packagingDoc},
	},
	Check: func(p *analyzer.Pass) {
		f := openedImage(p)
		if f == nil {
			return
		}
		if v := dmgLeaf(f); v != nil && (v.LeafKind == codesign.CertDeveloperIDInstaller || v.LeafKind == codesign.CertMacAppStoreInstaller) {
			p.Reportf("", "the disk image is signed with %s, an installer-signing certificate (%s)", certName(v.Leaf), v.LeafKind)
		}
	},
}

// heavyCodecs are the chunk codecs Apple's guide advises against.
var heavyCodecs = []string{"bzip2", "LZFSE", "LZMA"}

// DMGCorruptOrCompression reports damaged disk images, and (as info) images
// compressed with the heavy codecs.
var DMGCorruptOrCompression = &analyzer.Rule{
	ID:       "NL7004",
	Name:     "dmg-corrupt-or-compression",
	Severity: analyzer.Error,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "disk image is damaged, or compressed in a way that slows notarization",
		Why: "A disk image whose partition tables cannot be read, whose chunks do not decode or whose CRC32 " +
			"checksums (per partition, master, data fork) do not match cannot be mounted by the notary service " +
			"(`hdiutil verify` fails): an error. Images compressed with bzip2 (UDBZ), LZFSE (ULFO) or LZMA " +
			"(ULMO) are valid but Apple advises against heavily compressed images, which take longer to process: " +
			"reported as info.",
		AppleMessages: []string{"Avoid heavily compressed disk images", "Don't submit corrupted disk images"},
		Fix:           "Recreate the image: `hdiutil create -format UDZO -srcfolder App.app App.dmg` (or `hdiutil convert In.dmg -format UDZO -o Out.dmg`), then `hdiutil verify Out.dmg`.",
		Sources:       []string{"Apple, Customizing the notarization workflow", packagingDoc},
	},
	Check: func(p *analyzer.Pass) {
		f := p.DiskImage()
		if f == nil || f.NotUDIF != "" {
			return
		}
		if f.Image == nil {
			if f.Err != nil && !errors.Is(f.Err, archive.ErrLimit) { // a limit of ours is not damage
				p.Reportf("", "the disk image cannot be read: %v", f.Err)
			}
			return
		}
		for _, c := range f.Checksums {
			p.Report(analyzer.Finding{Key: c, Message: "damaged disk image: " + c})
		}
		var heavy []string
		for _, c := range heavyCodecs {
			if n := f.Codecs[c]; n > 0 {
				heavy = append(heavy, fmt.Sprintf("%s (%d chunks)", c, n))
			}
		}
		if len(heavy) > 0 {
			p.ReportInfo(analyzer.Finding{Key: "codec", Message: "the image is compressed with " + strings.Join(heavy, ", ") +
				"; Apple advises against heavily compressed images, which take longer to notarize (zlib, UDZO, is the usual format)"})
		}
	},
}

// DMGContents notes the code found on a disk image; each item's problems
// are reported under their own rules.
var DMGContents = &analyzer.Rule{
	ID:       "NL7005",
	Name:     "dmg-contents",
	Severity: analyzer.Info,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "disk image carries code",
		Why: "The notary service mounts a disk image and checks every app, framework and Mach-O file on it like " +
			"any other, with paths like \"App.dmg/App.app/Contents/MacOS/App\". notarylint reads the image's " +
			"HFS+ or APFS volume and does the same; their problems are reported under their own rules with " +
			"those paths. This note lists the code found.",
		AppleMessages: []string{msgNotSigned, msgNotDeveloperID, msgNoTimestamp, msgRuntime},
		Fix:           "Sign the code (inside-out, Developer ID Application, hardened runtime, timestamp) before creating the image.",
		Sources:       []string{"sindresorhus/LaunchAtLogin-Legacy#70", "rcodesign docs/apple_codesign_quirks.rst"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedImage(p)
		if f == nil || !f.HasCode() {
			return
		}
		reportCode(p, f.Bundles, f.MachO)
	},
}

// onDiskImage reports whether the nearest container holding an item (a
// disk image, an archive or a package) is a disk image.
func onDiskImage(it *analyzer.Item) bool {
	for a := it.Parent; a != nil; a = a.Parent {
		switch a.Kind {
		case analyzer.KindDiskImage:
			return true
		case analyzer.KindArchive, analyzer.KindPackage:
			return false
		}
	}
	return false
}

// DMGInnerAppNotStapled notes apps on a disk image that carry no ticket of
// their own.
var DMGInnerAppNotStapled = &analyzer.Rule{
	ID:       "NL7006",
	Name:     "dmg-inner-app-not-stapled",
	Severity: analyzer.Info,
	Kinds:    []analyzer.Kind{analyzer.KindBundle},
	Doc: analyzer.Doc{
		Title: "app on a disk image has no stapled ticket of its own",
		Why: "Stapling the disk image covers the image; an app copied out of it (to /Applications) carries only " +
			"its own ticket, in Contents/CodeResources. Without one, its first launch needs the network for " +
			"Gatekeeper to find the ticket. Expected before notarization.",
		AppleMessages: []string{"Notary Ticket Missing", "A Notarization ticket is not stapled to this application."},
		Fix:           "Notarize and staple the app first (`xcrun stapler staple App.app`), then create, sign, notarize and staple the disk image.",
		Sources:       []string{"DreamyTalesPAN/CodexBar-Display#158", "donislawdev/TestingFilesGenerator#13", "syspolicy_check(1)"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		// Only apps a user can drag off the image: directly on its volume
		// (or in a folder there), not apps nested in other bundles.
		if b == nil || b.Kind != bundle.App || !strings.HasSuffix(b.Name, ".app") || !b.Main.Signed() ||
			p.Item.Parent == nil || p.Item.Parent.Kind != analyzer.KindDiskImage {
			return
		}
		if !b.Stapled {
			p.Reportf("", "no ticket in Contents/CodeResources: copies taken off the image need the network on first launch")
		}
	},
}

// DMGContentsNotAnalyzed reports what notarylint could not read on a disk
// image, so that nothing passes unchecked in silence.
var DMGContentsNotAnalyzed = &analyzer.Rule{
	ID:       "NL7007",
	Name:     "dmg-contents-not-analyzed",
	Severity: analyzer.Warning,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "part of the disk image could not be analysed",
		Why: "notarylint reads HFS+, HFSX and APFS volumes (unencrypted, one APFS volume per container) in GPT, " +
			"APM or bare layouts, and every UDIF chunk codec. What it cannot read — another file system, an " +
			"encrypted volume, a compressed (decmpfs) file, a codec it does not decode — is named here: the notary " +
			"service will still check the code there.",
		Fix:     "Check that part another way (mount the image on a Mac and run `codesign --verify --deep --strict` on its contents), or build the image as UDZO with HFS+ or APFS.",
		Sources: []string{"notarylint"},
	},
	Check: func(p *analyzer.Pass) {
		f := p.DiskImage()
		if f == nil {
			return
		}
		switch {
		case f.NotUDIF != "" && !p.Item.TopLevel():
			p.Report(analyzer.Finding{Key: "not-udif", Message: "not analysed: not a UDIF disk image: " + f.NotUDIF})
		case f.Image == nil && errors.Is(f.Err, archive.ErrLimit):
			p.Report(analyzer.Finding{Key: "limit", Message: "not analysed: " + f.Err.Error()})
		}
		compressed := append([]string(nil), f.Compressed...)
		sort.Strings(compressed)
		seen := map[string]bool{}
		notes := append([]string(nil), f.NotAnalyzed...)
		sort.Strings(notes)
		for _, n := range notes {
			if !seen[n] {
				seen[n] = true
				p.Report(analyzer.Finding{Key: n, Message: "not analysed: " + n})
			}
		}
		if len(compressed) > 0 {
			p.Report(analyzer.Finding{Key: "decmpfs", Message: fmt.Sprintf("not analysed: %d file(s) stored compressed (decmpfs), whose data is not decoded, so code in them is not checked: %s",
				len(compressed), strings.Join(firstFew(compressed, 5), ", "))})
		}
	},
}

// DMGSignatureInvalid reports disk image signatures that do not verify.
var DMGSignatureInvalid = &analyzer.Rule{
	ID:       "NL7008",
	Name:     "dmg-signature-invalid",
	Severity: analyzer.Error,
	Kinds:    diskImageKinds,
	Doc: analyzer.Doc{
		Title: "disk image signature does not verify",
		Why: "A disk image's CodeDirectory holds one hash over every byte before the signature (page size none), " +
			"and its rep-specific slot the hash of the koly trailer with the signature length zeroed. An image " +
			"changed after signing (converted, resized, re-compressed, a byte flipped in transit) no longer " +
			"matches: `codesign --verify` reports \"invalid signature (code or signature have been modified)\" " +
			"and Gatekeeper calls the image damaged. The signature must also run exactly to the trailer.",
		AppleMessages: []string{"invalid signature (code or signature have been modified)", msgInvalid},
		Fix:           "Sign the final image again (" + dmgSignCommand + ") and notarize that; do not modify it afterwards.",
		Sources:       []string{"Security: diskimagerep.cpp", "rcodesign dmg.rs"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedImage(p)
		if f == nil {
			return
		}
		if f.SignatureErr != nil {
			p.Reportf("", "the signature cannot be read: %v", f.SignatureErr)
			return
		}
		if f.PagesErr != nil {
			p.Reportf("", "the code hash cannot be checked: %v", f.PagesErr)
		}
		for _, m := range f.Pages {
			if m != nil {
				p.Reportf("", "the image's bytes do not match the %s code hash of its signature: it was changed after signing", m.CD.HashName())
			}
		}
		for _, m := range f.Slots {
			what := "the requirements"
			if m.Slot == codesign.SlotRepSpecific {
				what = "the koly trailer"
			}
			p.Reportf("", "%s no longer match(es) the hash in the %s CodeDirectory (special slot -%d)", what, m.CD.HashName(), m.Slot)
		}
		if v := f.Verified; v != nil {
			switch {
			case v.Err != nil:
				p.Reportf("", "the CMS signature cannot be parsed: %v", v.Err)
			case v.SignatureErr != nil:
				p.Reportf("", "the CMS signature does not verify: %v", v.SignatureErr)
			}
		}
	},
}

// firstFew returns the first n of list, and "and K more" after them.
func firstFew(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("and %d more", len(list)-n))
}
