package rules

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
)

// verifiedSlices returns the signed code slices that carry a CMS signature
// (ad-hoc ones are adhoc-or-linker-signed's business).
func verifiedSlices(p *analyzer.Pass) []*analyzer.SliceFacts {
	var out []*analyzer.SliceFacts
	for _, s := range signedSlices(p) {
		if s.Verified != nil {
			out = append(out, s)
		}
	}
	return out
}

// usableCMS returns the slices whose CMS parsed and names its signer's
// certificate; the others are cms-invalid.
func usableCMS(p *analyzer.Pass) []*analyzer.SliceFacts {
	var out []*analyzer.SliceFacts
	for _, s := range verifiedSlices(p) {
		if s.Verified.Err == nil && s.Verified.Leaf != nil {
			out = append(out, s)
		}
	}
	return out
}

func certName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return c.Subject.String()
}

// CertNotDeveloperID reports code not signed with a Developer ID Application
// certificate that chains to Apple.
var CertNotDeveloperID = &analyzer.Rule{
	ID:       "NL2004",
	Name:     "cert-not-developer-id",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "code is not signed with a Developer ID Application certificate",
		Why: "Outside the Mac App Store, code must be signed by a Developer ID Application certificate (extension " +
			"1.2.840.113635.100.6.1.13, or …6.1.18 for kernel extensions) issued by Apple's Developer ID " +
			"Certification Authority (…6.2.6) and chaining to Apple Root CA. Apple Development, Apple " +
			"Distribution, Mac App Store, Developer ID Installer, self-signed and third-party certificates are " +
			"rejected. The message names the certificate found.",
		AppleMessages: []string{msgNotDeveloperID},
		NotaryMessage: msgNotDeveloperID,
		DocURL:        resolvingURL + "#3087721",
		Fix: "Sign with your \"Developer ID Application: NAME (TEAMID)\" identity (`security find-identity -p " +
			"codesigning -v` lists them): " + signCommand + ".",
		Sources: []string{"Apple, Resolving common notarization issues", "Security: policydb.cpp", "rcodesign certificate.rs"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range usableCMS(p) {
			v := s.Verified
			leaf := v.Leaf
			switch {
			case v.LeafKind != codesign.CertDeveloperIDApplication && v.LeafKind != codesign.CertDeveloperIDKext:
				kind := "a certificate of type " + v.LeafKind.String()
				if v.LeafKind == codesign.CertOther {
					kind = v.LeafKind.String()
				}
				p.Reportf(s.Arch, "signed with %s, %s, not Developer ID Application", certName(leaf), kind)
			case v.Chain.Err != nil && len(v.Chain.Missing) == 0 && !v.Chain.Expired:
				p.Reportf(s.Arch, "certificate %s does not chain to Apple Root CA: %v", certName(leaf), v.Chain.Err)
			case v.Chain.Err == nil && len(v.Chain.Chain) > 1 && !codesign.HasExtension(v.Chain.Chain[1], codesign.OIDDeveloperIDCA):
				p.Reportf(s.Arch, "certificate %s is issued by %s, not by Apple's Developer ID Certification Authority", certName(leaf), certName(v.Chain.Chain[1]))
			}
		}
	},
}

// CertChainMissing reports signatures that do not carry the intermediate
// certificates between the leaf and Apple's root.
var CertChainMissing = &analyzer.Rule{
	ID:       "NL2005",
	Name:     "cert-chain-missing",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "signature does not carry its certificate chain",
		Why: "The CMS signature must carry the leaf and the Developer ID Certification Authority (G1 or G2) so that " +
			"the chain to Apple Root CA can be built from the signature alone. Cross-platform signers fed a " +
			".p12 without the chain omit them, and the notary service then reports the signature as invalid and " +
			"without a secure timestamp. notarylint knows Apple's intermediates only to name the missing one; " +
			"it never completes the chain with them.",
		AppleMessages: []string{msgInvalid, msgNoTimestamp},
		NotaryMessage: msgInvalid,
		Fix: "Sign with an identity whose .p12 includes the chain (`quill p12 attach-chain`), or with codesign or " +
			"rcodesign, which add Apple's intermediates themselves.",
		Sources: []string{"anchore/quill README (Attaching the full certificate chain)"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range usableCMS(p) {
			if m := s.Verified.Chain.Missing; len(m) > 0 {
				var names []string
				for _, c := range m {
					names = append(names, certName(c))
				}
				p.Reportf(s.Arch, "the CMS signature carries %d certificate(s) but not %s, which links %s to Apple Root CA",
					len(s.Verified.Certificates), strings.Join(names, ", "), certName(s.Verified.Leaf))
			}
		}
	},
}

// CertExpiredUntimestamped reports certificates outside their validity when
// no secure timestamp vouches for the signing time.
var CertExpiredUntimestamped = &analyzer.Rule{
	ID:       "NL2012",
	Name:     "cert-expired-untimestamped",
	Severity: analyzer.Warning,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "signing certificate expired and no timestamp vouches for the signing time",
		Why: "A secure timestamp proves the code was signed while the certificate was valid, so the signature " +
			"outlives the certificate. Without one, Gatekeeper rejects the code once the leaf (or an intermediate, " +
			"such as the G1 Developer ID CA in 2027) expires; with one whose time lies outside the leaf's " +
			"validity, the timestamp proves nothing. Inferred from Apple's certificate policy, hence a warning.",
		AppleMessages: []string{"CSSMERR_TP_CERT_EXPIRED", msgNoTimestamp},
		Fix:           "Always sign with --timestamp; re-sign with a current Developer ID certificate.",
		Inferred:      true,
		Sources:       []string{"Security: policydb.cpp (Developer ID date constraint 1.2.840.113635.100.6.1.33)"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range usableCMS(p) {
			v := s.Verified
			if !v.Chain.Expired {
				continue
			}
			leaf := v.Leaf
			validity := fmt.Sprintf("[%s, %s]", leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339))
			if v.Timestamp.Valid() {
				p.Reportf(s.Arch, "the secure timestamp (%s) lies outside the validity of %s %s or its chain",
					v.Timestamp.GenTime.UTC().Format(time.RFC3339), certName(leaf), validity)
				continue
			}
			p.Reportf(s.Arch, "a certificate of the chain of %s (validity %s) is not valid at %s and no secure timestamp proves the signing time",
				certName(leaf), validity, v.Chain.At.UTC().Format(time.RFC3339))
		}
	},
}

// TeamIDMismatch reports a CodeDirectory team ID that differs from the
// signing certificate's.
var TeamIDMismatch = &analyzer.Rule{
	ID:       "NL2013",
	Name:     "team-id-mismatch",
	Severity: analyzer.Warning,
	Kinds:    []analyzer.Kind{analyzer.KindMachO, analyzer.KindBundle},
	Doc: analyzer.Doc{
		Title: "team IDs disagree: library validation will refuse to load code",
		Why: "A hardened-runtime process may only map libraries, frameworks and in-process plug-ins signed by " +
			"its own team (library validation), unless it has com.apple.security.cs.disable-library-validation; " +
			"otherwise dyld refuses them at launch, although the notary service accepts the upload. Helpers, XPC " +
			"services, app extensions and login items run as processes of their own and are exempt. The rule " +
			"also reports a CodeDirectory team ID that is not its own certificate's team (a hand-built or " +
			"spliced signature); an empty CodeDirectory team ID is not reported there.",
		AppleMessages: []string{"mapping process and mapped file (non-platform) have different Team IDs"},
		Fix:           "Re-sign with codesign so that the CodeDirectory takes the certificate's team ID: " + signCommand + ".",
		Inferred:      true,
		Sources:       []string{"microsoft/aspire#20280", "dotnet/macios#26609"},
	},
	Check: func(p *analyzer.Pass) {
		checkLibraryTeams(p)
		for _, s := range usableCMS(p) {
			ou := codesign.TeamID(s.Verified.Leaf)
			for _, cd := range s.Signature.CodeDirectories {
				if cd.TeamID != "" && ou != "" && cd.TeamID != ou {
					p.Report(analyzer.Finding{Arch: s.Arch, Key: fmt.Sprintf("%#x", cd.Slot),
						Message: fmt.Sprintf("CodeDirectory slot %#x has team ID %s, the certificate %s has team %s", cd.Slot, cd.TeamID, certName(s.Verified.Leaf), ou)})
				}
			}
		}
	},
}

// TeamIDUnexpected reports code signed by a team other than --team-id.
var TeamIDUnexpected = &analyzer.Rule{
	ID:       "NL2014",
	Name:     "team-id-unexpected",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "code is signed by a team other than the expected one",
		Why: "With --team-id TEAMID, every signed item must be signed by that team: its certificate's OU and its " +
			"CodeDirectory team ID. Another team's signature usually means a third-party library was shipped as " +
			"its vendor signed it; under the hardened runtime it will not load without the " +
			"disable-library-validation entitlement, and uploading it under the wrong team fails.",
		AppleMessages: []string{
			"Invalid or inaccessible developer team ID for the provided Apple ID.",
			"mapping process and mapped file (non-platform) have different Team IDs",
		},
		Fix:     "Re-sign the item with your own Developer ID Application identity, or correct --team-id.",
		Sources: []string{"Apple, TN3125", "rules catalogue: invalid-team-id"},
	},
	Check: func(p *analyzer.Pass) {
		want := p.TeamID()
		if want == "" {
			return
		}
		for _, s := range usableCMS(p) {
			got := map[string]bool{codesign.TeamID(s.Verified.Leaf): true}
			for _, cd := range s.Signature.CodeDirectories {
				if cd.TeamID != "" {
					got[cd.TeamID] = true
				}
			}
			delete(got, want)
			delete(got, "")
			if len(got) > 0 {
				p.Reportf(s.Arch, "signed by team %s (certificate %s), expected %s", strings.Join(sortedKeys(got), ", "), certName(s.Verified.Leaf), want)
			}
		}
	},
}

// checkLibraryTeams reports libraries a bundle's hardened-runtime executable
// loads that another team (or nobody) signed.
func checkLibraryTeams(p *analyzer.Pass) {
	b := p.Bundle()
	if b == nil || b.MainTeam == "" {
		return
	}
	for _, lib := range b.Libraries {
		var msg string
		switch {
		case !lib.Signed:
			continue // unsigned code is macho-unsigned's business
		case lib.Team == "" && lib.Adhoc:
			msg = "is ad-hoc signed (no team ID); the hardened-runtime main executable of team " + b.MainTeam + " will refuse to load it (mapped file has no Team ID and is not a platform binary)"
		case lib.Team == "":
			msg = "has no team ID; the hardened-runtime main executable of team " + b.MainTeam + " will refuse to load it"
		case lib.Team != b.MainTeam:
			msg = fmt.Sprintf("is signed by team %s, the hardened-runtime main executable by team %s: it will not load without com.apple.security.cs.disable-library-validation", lib.Team, b.MainTeam)
		default:
			continue
		}
		p.Report(analyzer.Finding{Path: inBundle(p, b, lib.Path), Key: "library:" + lib.Path, Message: "library " + msg})
	}
}
