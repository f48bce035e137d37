package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/pkg"
)

var packageKinds = []analyzer.Kind{analyzer.KindPackage}

const (
	msgPkgNotExtracted = "The contents of the package at X.pkg could not be extracted."
	msgPkgNoCode       = "Package X.pkg has no signed executables or bundles. No tickets can be generated."
	productsignCommand = "`productsign --sign \"Developer ID Installer: NAME (TEAMID)\" unsigned.pkg signed.pkg`"
)

// openedPackage returns the package of a package item that could be opened,
// or nil; componentOf tells whether it is a signed component stored inside
// a product (those are checked by pkg-signed-component).
func openedPackage(p *analyzer.Pass) *analyzer.PackageFacts {
	if f := p.Package(); f != nil && f.Pkg != nil {
		return f
	}
	return nil
}

// insideProduct reports whether a package item is a component stored as a
// flat package inside a product archive.
func insideProduct(p *analyzer.Pass) bool {
	parent := p.Item.Parent
	return parent != nil && parent.Kind == analyzer.KindPackage && path.Dir(p.Item.Path) == parent.Path
}

// insidePackage reports whether an item was found inside a flat package.
func insidePackage(it *analyzer.Item) bool {
	for a := it.Parent; a != nil; a = a.Parent {
		if a.Kind == analyzer.KindPackage {
			return true
		}
	}
	return false
}

// PkgUnsigned reports flat packages without a signature.
var PkgUnsigned = &analyzer.Rule{
	ID:       "NL6001",
	Name:     "pkg-unsigned",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package is not signed",
		Why: "The notary service accepts only signed flat installer packages. This package's table of contents " +
			"has neither an RSA <signature> nor a CMS <x-signature>: it was built with pkgbuild or productbuild " +
			"without --sign.",
		AppleMessages: []string{msgNotSigned, "Status: no signature", "rejected source=no usable signature"},
		NotaryMessage: msgNotSigned,
		Fix:           "Sign the product: " + productsignCommand + " (or pass --sign to productbuild).",
		Sources:       []string{"notarytool(1)", "Apple, Resolving common notarization issues", "SCIInstitute/Seg3D#419"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || f.Signature == nil || f.Signature.Signed() || insideProduct(p) {
			return
		}
		p.Reportf("", "the package's table of contents has no signature")
	},
}

// PkgWrongCert reports packages signed with something other than a valid
// Developer ID Installer certificate.
var PkgWrongCert = &analyzer.Rule{
	ID:       "NL6002",
	Name:     "pkg-wrong-cert",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package is not signed with a valid Developer ID Installer certificate",
		Why: "Packages must be signed with a Developer ID Installer certificate (marker extension " +
			"1.2.840.113635.100.6.1.14) that chains through Apple's Developer ID CA to Apple's root, with the " +
			"intermediates carried in the package. A Developer ID Application, Apple Development or Mac App Store " +
			"installer (3rd Party Mac Developer Installer) certificate, or a broken chain, is rejected.",
		AppleMessages: []string{msgNotDeveloperID, "1. Developer ID Installer:"},
		NotaryMessage: msgNotDeveloperID,
		Fix:           "Sign with your Developer ID Installer identity: " + productsignCommand + "; keep a single such identity in the keychain.",
		Sources:       []string{"Apple, Resolving common notarization issues", "Apple, Packaging Mac software for distribution", "Security: policydb.cpp"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || f.Signature == nil || !f.Signature.Signed() || f.Signature.Leaf == nil || insideProduct(p) {
			return
		}
		s := f.Signature
		if s.LeafKind != codesign.CertDeveloperIDInstaller {
			p.Report(analyzer.Finding{Key: "kind", Message: fmt.Sprintf("signed by %q, a %s certificate, not Developer ID Installer", s.Leaf.Subject.CommonName, s.LeafKind)})
			return
		}
		if err := s.Chain.Err; err != nil {
			msg := fmt.Sprintf("the certificate %q does not chain to Apple's root: %v", s.Leaf.Subject.CommonName, err)
			if len(s.Chain.Missing) > 0 {
				msg += fmt.Sprintf(" (the package lacks the intermediate %q)", s.Chain.Missing[0].Subject.CommonName)
			}
			if s.Chain.Expired {
				msg = fmt.Sprintf("the certificate %q has expired and no valid secure timestamp proves the signing time", s.Leaf.Subject.CommonName)
			}
			p.Report(analyzer.Finding{Key: "chain", Message: msg})
		}
	},
}

// PkgNoTimestamp reports package signatures without a valid secure
// timestamp.
var PkgNoTimestamp = &analyzer.Rule{
	ID:       "NL6003",
	Name:     "pkg-no-timestamp",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package signature has no secure timestamp",
		Why: "The secure timestamp lives in the CMS <x-signature> as an RFC 3161 token from Apple's timestamp " +
			"authority. A package with only the classic RSA signature, or signed with timestamping disabled, has " +
			"none; pkgutil --check-signature then lacks \"Signed with a trusted timestamp\". The notary message " +
			"is inferred from the one for code.",
		AppleMessages: []string{msgNoTimestamp, "Signed with a trusted timestamp"},
		NotaryMessage: msgNoTimestamp,
		Fix:           "Sign with productsign or productbuild --sign, which timestamp by default (do not pass --timestamp=none).",
		Sources:       []string{"Apple, Resolving common notarization issues"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || f.Signature == nil || !f.Signature.Signed() || insideProduct(p) {
			return
		}
		s := f.Signature
		switch {
		case !s.HasCMS:
			p.Reportf("", "only the classic RSA signature is present; the CMS signature that carries the timestamp is missing")
		case s.Timestamp == nil:
			p.Reportf("", "the CMS signature carries no timestamp token")
		case !s.Timestamp.Valid():
			err := s.Timestamp.Err
			if err == nil {
				err = s.Timestamp.Chain.Err
			}
			p.Reportf("", "the timestamp does not verify: %v", err)
		}
	},
}

// PkgSignatureInvalid reports package signatures that do not verify.
var PkgSignatureInvalid = &analyzer.Rule{
	ID:       "NL6004",
	Name:     "pkg-signature-invalid",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package signature does not verify",
		Why: "Both signatures of a flat package, the classic RSA <signature> (PKCS #1 v1.5) and the CMS " +
			"<x-signature>, sign the checksum of the table of contents. When either does not verify with the " +
			"signing certificate, the package was changed after signing (or signed by a broken tool); Installer " +
			"and the notary service reject it.",
		AppleMessages: []string{msgInvalid, "Status: signature invalid"},
		NotaryMessage: msgInvalid,
		Fix:           "Sign the final package again, after its last change: " + productsignCommand + ".",
		Sources:       []string{"xar: signature format", "relic lib/fruit/xar"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || f.Signature == nil {
			return
		}
		s := f.Signature
		for key, err := range map[string]error{"structure": s.Err, "rsa": s.RSAErr, "cms": s.CMSErr} {
			if err != nil {
				p.Report(analyzer.Finding{Key: key, Message: err.Error()})
			}
		}
	},
}

// PkgChecksumMismatch reports a table of contents or archived file whose
// checksum does not match.
var PkgChecksumMismatch = &analyzer.Rule{
	ID:       "NL6005",
	Name:     "pkg-checksum-mismatch",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package checksum does not match its contents",
		Why: "A flat package records a checksum of its table of contents (which the signature covers) and one of " +
			"every archived file. A mismatch means the package was damaged or edited after it was built; Installer " +
			"reports it as damaged and nothing in it can be trusted.",
		AppleMessages: []string{msgPkgNotExtracted, "The package is damaged or incomplete"},
		NotaryMessage: msgPkgNotExtracted,
		Fix:           "Rebuild the package with pkgbuild/productbuild and sign it again; do not edit it afterwards.",
		Sources:       []string{"xar: TOC checksum"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil {
			return
		}
		x := f.Pkg.Xar
		if !x.TOCChecksumOK {
			p.Report(analyzer.Finding{Key: "toc", Message: fmt.Sprintf("the %s checksum of the table of contents does not match it", x.ChecksumAlg)})
		}
		for _, name := range x.BadChecksums() {
			p.Report(analyzer.Finding{Key: name, Message: fmt.Sprintf("%s: archived bytes do not match the checksum the table of contents records", name)})
		}
	},
}

// PkgNotExtractable reports packages the notary service cannot unpack.
var PkgNotExtractable = &analyzer.Rule{
	ID:       "NL6006",
	Name:     "pkg-not-extractable",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package cannot be unpacked",
		Why: "The notary service unpacks every component to find the code to check. It fails — and then also " +
			"finds no code — when the xar cannot be read, the Distribution or a PackageInfo is not well-formed " +
			"XML (for example \"--\" inside a comment), a pkg-ref does not name a component (most often its text " +
			"lacks the leading '#': <pkg-ref id=\"x\">Comp.pkg</pkg-ref>, which makes Installer look for " +
			"Comp.pkg next to the product), or a Payload cannot be decompressed.",
		AppleMessages: []string{msgPkgNotExtracted, msgPkgNoCode, "The contents of the package could not be extracted."},
		NotaryMessage: msgPkgNotExtracted,
		Fix:           "Write pkg-refs as #Comp.pkg, keep Distribution and PackageInfo well-formed, and build with pkgbuild/productbuild rather than by hand.",
		Sources:       []string{"Apple developer forums 806210, 803477", "jasonmcaffee/inillucent xar.rs"},
	},
	Check: func(p *analyzer.Pass) {
		f := p.Package()
		if f == nil {
			return
		}
		if f.Err != nil {
			if !errors.Is(f.Err, archive.ErrLimit) {
				p.Report(analyzer.Finding{Key: "xar", Message: f.Err.Error()})
			}
			return
		}
		pk := f.Pkg
		if pk.DistErr != nil {
			p.Report(analyzer.Finding{Key: "distribution", Message: pk.DistErr.Error()})
		}
		// Entries the table of contents lists but that cannot be read (data
		// outside the heap, a bad encoding): installer cannot extract them.
		for _, pr := range pk.Xar.Files.Problems {
			p.Report(analyzer.Finding{Key: "entry/" + pr.Name, Message: fmt.Sprintf("%s: %s", pr.Name, pr.Reason)})
		}
		for _, ref := range pk.UnresolvedPkgRefs() {
			p.Report(analyzer.Finding{Key: ref, Message: ref})
		}
		if pk.Product && len(pk.Components) == 0 && len(pk.SignedComponents) == 0 {
			p.Report(analyzer.Finding{Key: "components", Message: "the product holds no component package"})
		}
		for _, c := range pk.Components {
			where := componentLabel(c)
			switch {
			case c.PackageInfo == nil && c.InfoErr == nil:
				p.Report(analyzer.Finding{Key: where + "/info", Message: where + " has no PackageInfo"})
			case c.InfoErr != nil:
				p.Report(analyzer.Finding{Key: where + "/info", Message: fmt.Sprintf("%s: PackageInfo: %v", where, c.InfoErr)})
			}
			for part, err := range map[string]error{"Payload": c.PayloadErr, "Scripts": c.ScriptsErr} {
				if err != nil && !errors.Is(err, archive.ErrLimit) {
					p.Report(analyzer.Finding{Key: where + "/" + part, Message: fmt.Sprintf("%s: %s: %v", where, part, err)})
				}
			}
		}
	},
}

// packageLimitErrors lists what of a package was not read because of a
// limit (archive-unreadable reports them).
func packageLimitErrors(f *analyzer.PackageFacts) []string {
	if f.Err != nil {
		if errors.Is(f.Err, archive.ErrLimit) {
			return []string{f.Err.Error()}
		}
		return nil
	}
	var out []string
	for _, c := range f.Pkg.Components {
		for part, err := range map[string]error{"Payload": c.PayloadErr, "Scripts": c.ScriptsErr} {
			if errors.Is(err, archive.ErrLimit) {
				out = append(out, fmt.Sprintf("%s %s: %v", componentLabel(c), part, err))
			}
		}
	}
	return out
}

// componentLabel names a component in messages.
func componentLabel(c *pkg.Component) string {
	if c.Dir == "." {
		return "the component"
	}
	return c.Name
}

// PkgNoCode reports submissions that contain no code.
var PkgNoCode = &analyzer.Rule{
	ID:       "NL6007",
	Name:     "pkg-no-code",
	Severity: analyzer.Error,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package contains no code to notarize",
		Why: "A ticket is issued for the code in a submission. A package whose payloads, once fully unpacked " +
			"(nested archives included), hold no Mach-O file and no bundle — scripts, fonts, configuration — is " +
			"rejected, and so is one whose code the service could not extract. A package holding a disk image " +
			"(.dmg, .xip), which notarylint does not open yet, is not reported.",
		AppleMessages: []string{msgPkgNoCode},
		NotaryMessage: msgPkgNoCode,
		Fix:           "Notarize only packages that install code; a data-only package cannot get a ticket (sign it and distribute it as is).",
		Sources:       []string{"skpm/skpm#261", "jasonmcaffee/inillucent", "mnestor/ssoossh"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || !p.Item.TopLevel() || f.HasCode() {
			return
		}
		for _, c := range f.Pkg.Components {
			if c.PayloadErr != nil || c.ScriptsErr != nil {
				return // pkg-not-extractable or archive-unreadable says why
			}
			if c.Payload != nil && holdsUnopened(c.Payload.Tree) {
				return // code may be inside a disk image notarylint does not open yet
			}
		}
		p.Reportf("", "no Mach-O file or bundle in any component's Payload or Scripts")
	},
}

// unopenedContainers are extensions of containers the notary service opens
// but notarylint does not (yet), so code inside them is not seen.
var unopenedContainers = map[string]bool{".dmg": true, ".sparseimage": true, ".xip": true}

// holdsUnopened reports whether fsys holds such a container.
func holdsUnopened(fsys fs.FS) bool {
	found := false
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && unopenedContainers[strings.ToLower(path.Ext(p))] {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// PkgPayloadIssues lists the code inside a package's components.
var PkgPayloadIssues = &analyzer.Rule{
	ID:       "NL6008",
	Name:     "pkg-payload-issues",
	Severity: analyzer.Info,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package payload carries code",
		Why: "The notary service unpacks each component's Payload (gzip or pbzx cpio) and Scripts and checks " +
			"every Mach-O file and bundle in them like any other, with paths like \"Outer.pkg/comp.pkg " +
			"Contents/Payload/Applications/App.app/Contents/MacOS/App\". notarylint does the same and reports " +
			"their problems under their own rules; this note lists the code it found.",
		AppleMessages: []string{msgNotSigned, msgNotDeveloperID, msgNoTimestamp, msgRuntime},
		Fix:           "Sign the payload's code (inside-out, Developer ID Application, hardened runtime, timestamp) before running pkgbuild.",
		Sources:       []string{"obsproject/obs-websocket#992", "marcelotduarte/cx_Freeze#594", "adoptium/temurin-build#3500"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil || !f.HasCode() {
			return
		}
		reportCode(p, f.Bundles, f.MachO)
	},
}

// PkgLegacyBundle reports bundle-style (directory) packages.
var PkgLegacyBundle = &analyzer.Rule{
	ID:       "NL6009",
	Name:     "pkg-legacy-bundle",
	Severity: analyzer.Error,
	Kinds:    []analyzer.Kind{analyzer.KindDirectory, analyzer.KindBundle},
	Doc: analyzer.Doc{
		Title: "installer package is a bundle-style directory",
		Why: "PackageMaker and old pkgbuild versions wrote packages as directories (Contents/Archive.pax.gz). " +
			"They cannot be signed, and the notary service accepts only flat (xar) packages.",
		AppleMessages: []string{"Apple no longer maintains the PackageMaker tool, which doesn't support code signing"},
		Fix:           "Rebuild the package with pkgbuild and productbuild, then sign it with productsign.",
		Sources:       []string{"Apple, Resolving common notarization issues", "notarytool(1)"},
	},
	Check: func(p *analyzer.Pass) {
		if strings.HasSuffix(strings.ToLower(p.Item.Path), ".pkg") || strings.HasSuffix(strings.ToLower(p.Item.Path), ".mpkg") {
			p.Reportf("", "%s is a directory; only flat (xar) packages can be signed and notarized", path.Base(p.Item.Path))
		}
	},
}

// PkgSignedComponent reports component packages that are signed flat
// packages inside a product.
var PkgSignedComponent = &analyzer.Rule{
	ID:       "NL6010",
	Name:     "pkg-signed-component",
	Severity: analyzer.Warning,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "product archive holds a signed component package",
		Why: "productbuild expands component packages into directories of the product; a component stored as a " +
			"whole signed .pkg file inside a product comes from hand-assembly or nesting, and Installer and the " +
			"notary service read only the product's own signature. Inferred: no notary log shows this case.",
		AppleMessages: []string{msgPkgNotExtracted, msgPkgNoCode,
			"External component packages (N) trustLevel=0 (trust evaluation failed; treating as invalid due to higher trust level for parent product archive)"},
		Fix:      "Build components unsigned with pkgbuild, combine them with productbuild, and sign only the product (productbuild --sign or productsign).",
		Inferred: true,
		Sources:  []string{"productbuild(1)", "productsign(1)"},
	},
	Check: func(p *analyzer.Pass) {
		if openedPackage(p) != nil && insideProduct(p) {
			p.Reportf("", "%s is stored as a flat package inside the product", path.Base(p.Item.Path))
		}
	},
}

// PkgNonstandardLayout reports layouts Apple's tools never write.
var PkgNonstandardLayout = &analyzer.Rule{
	ID:       "NL6011",
	Name:     "pkg-nonstandard-layout",
	Severity: analyzer.Warning,
	Kinds:    packageKinds,
	Doc: analyzer.Doc{
		Title: "installer package layout differs from what Apple's tools write",
		Why: "pkgbuild writes cpio names starting with \"./\", a Bom next to every Payload listing exactly the " +
			"Payload's paths, and a SHA-1 table of contents checksum; productbuild writes choices that install " +
			"pkg-refs naming components, and an outline of defined choices. Hand-built packages that differ have failed with \"could not be extracted\"; " +
			"which difference the service minds is not proven, so this is inferred and a warning.",
		AppleMessages: []string{msgPkgNotExtracted},
		Fix:           "Build with pkgbuild/productbuild, or reproduce their layout exactly (./-prefixed cpio names, a Bom from mkbom, sha1 TOC checksum).",
		Inferred:      true,
		Sources:       []string{"jasonmcaffee/inillucent xar.rs", "mnestor/ssoossh flatpkg.sh"},
	},
	Check: func(p *analyzer.Pass) {
		f := openedPackage(p)
		if f == nil {
			return
		}
		if d := f.Pkg.Distribution; d != nil {
			for _, msg := range d.ChoiceProblems() {
				p.Report(analyzer.Finding{Key: msg, Message: "Distribution: " + msg})
			}
		}
		if alg := f.Pkg.Xar.ChecksumAlg; alg != "sha1" {
			p.Report(analyzer.Finding{Key: "checksum", Message: fmt.Sprintf("the table of contents checksum is %s, not sha1", alg)})
		}
		for _, c := range f.Pkg.Components {
			where := componentLabel(c)
			if c.HasPayload && !c.HasBom {
				p.Report(analyzer.Finding{Key: where + "/bom", Message: where + " has a Payload but no Bom"})
			}
			if c.BomErr != nil {
				p.Report(analyzer.Finding{Key: where + "/bom", Message: fmt.Sprintf("%s: the Bom cannot be read: %v", where, c.BomErr)})
			}
			if onlyBom, onlyPayload := c.BomDifference(5); len(onlyBom)+len(onlyPayload) > 0 {
				p.Report(analyzer.Finding{Key: where + "/bom-paths", Message: fmt.Sprintf("%s: the Bom and the Payload disagree: only in the Bom %q, only in the Payload %q", where, onlyBom, onlyPayload)})
			}
			if c.Payload != nil && len(c.Payload.BareNames) > 0 {
				p.Report(analyzer.Finding{Key: where + "/names", Message: fmt.Sprintf("%s: Payload names without the leading \"./\": %s", where, strings.Join(c.Payload.BareNames, ", "))})
			}
		}
	},
}

// reportCode notes the bundles and Mach-O files found inside a container,
// naming the first few.
func reportCode(p *analyzer.Pass, bundles, machos []string) {
	code := append(append([]string(nil), bundles...), machos...)
	for i := range code {
		code[i] = strings.TrimPrefix(code[i], "/")
	}
	if len(code) > 5 {
		code = append(code[:5:5], fmt.Sprintf("and %d more", len(bundles)+len(machos)-5))
	}
	p.Reportf("", "%d bundle(s) and %d Mach-O file(s), each checked as code: %s", len(bundles), len(machos), strings.Join(code, ", "))
}
