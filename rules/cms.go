package rules

import (
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
)

// CMSInvalid reports CMS signatures that cannot be parsed or do not verify.
var CMSInvalid = &analyzer.Rule{
	ID:       "NL2011",
	Name:     "cms-invalid",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "CMS signature is corrupt or does not verify",
		Why: "The CMS blob (slot 0x10000) must parse, carry the signer's certificate, and its signature over the " +
			"signed attributes must verify with that certificate; the messageDigest attribute must be the digest " +
			"of the primary CodeDirectory, and the CDHashes attributes (1.2.840.113635.100.9.1 and …9.2) must " +
			"list every CodeDirectory, so that no alternate CodeDirectory can be swapped in. Hand-built or " +
			"truncated signatures fail this.",
		AppleMessages: []string{msgInvalid, "invalid signature (code or signature have been modified)", "Unknown format in import."},
		NotaryMessage: msgInvalid,
		DocURL:        resolvingURL + "#3087735",
		Fix:           "Re-sign with codesign: " + signCommand + ".",
		Sources:       []string{"rcodesign embedded_signature_builder.rs", "RFC 5652"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range verifiedSlices(p) {
			v := s.Verified
			var problems []string
			for _, err := range []error{v.Err, v.SignatureErr, v.CDHashesErr} {
				if err != nil {
					problems = append(problems, err.Error())
				}
			}
			if len(problems) > 0 {
				p.Reportf(s.Arch, "%s", strings.Join(problems, "; "))
			}
		}
	},
}

// TimestampMissing reports CMS signatures without a valid secure timestamp.
var TimestampMissing = &analyzer.Rule{
	ID:       "NL2006",
	Name:     "timestamp-missing",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "signature has no secure timestamp",
		Why: "The notary service requires an RFC 3161 timestamp from Apple's timestamp authority in the CMS " +
			"signer's unsigned attribute 1.2.840.113549.1.9.16.2.14 (codesign --timestamp). Signing without it " +
			"(--timestamp=none, Xcode non-archive builds, offline hosts) leaves only the self-declared signingTime " +
			"(codesign -dvv shows \"Signed Time=\" instead of \"Timestamp=\"). A token that does not stamp this " +
			"signature or whose signature does not verify counts as missing.",
		AppleMessages: []string{msgNoTimestamp},
		NotaryMessage: msgNoTimestamp,
		DocURL:        resolvingURL + "#3087733",
		Fix:           "Sign with --timestamp (it needs network access to timestamp.apple.com): " + signCommand + "; in Xcode add OTHER_CODE_SIGN_FLAGS=--timestamp.",
		Sources:       []string{"Apple, Resolving common notarization issues", "xcnotary precheck bundle.rs"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range usableCMS(p) {
			switch ts := s.Verified.Timestamp; {
			case ts == nil:
				p.Reportf(s.Arch, "the CMS signature has no timestamp token (attribute 1.2.840.113549.1.9.16.2.14)")
			case ts.Err != nil:
				p.Reportf(s.Arch, "the timestamp token does not verify: %v", ts.Err)
			}
		}
	},
}

// TimestampNotApple reports timestamps from a TSA that does not chain to
// Apple.
var TimestampNotApple = &analyzer.Rule{
	ID:       "NL2007",
	Name:     "timestamp-not-apple",
	Severity: analyzer.Warning,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "secure timestamp does not come from Apple's timestamp authority",
		Why: "\"macOS accepts only one secure timestamp server, namely timestamp.apple.com.\" A token from another " +
			"RFC 3161 authority (used by some cross-platform signers) does not chain to Apple's Timestamp " +
			"Certification Authority. Inferred: Apple documents the requirement but no notary log shows the " +
			"exact outcome, so this is a warning.",
		AppleMessages: []string{msgNoTimestamp},
		NotaryMessage: msgNoTimestamp,
		DocURL:        resolvingURL + "#3087733",
		Fix:           "Timestamp with Apple's authority: codesign --timestamp, or rcodesign's default http://timestamp.apple.com/ts01.",
		Inferred:      true,
		Sources:       []string{"Apple, Resolving common notarization issues (secure timestamp)"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range usableCMS(p) {
			ts := s.Verified.Timestamp
			if ts == nil || ts.Err != nil || ts.Chain.Err == nil {
				continue
			}
			signer := "an unnamed authority"
			if ts.Signer != nil {
				signer = certName(ts.Signer)
			}
			p.Reportf(s.Arch, "the timestamp is signed by %s, which does not chain to Apple Root CA: %v", signer, ts.Chain.Err)
		}
	},
}

// weakCMSDigest says whether a slice's CMS uses SHA-1 as its digest.
func weakCMSDigest(s *analyzer.SliceFacts) bool {
	return s.Verified != nil && s.Verified.Err == nil && s.Verified.DigestAlgorithm.Equal(codesign.OIDSHA1)
}
