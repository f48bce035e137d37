package rules

import (
	"fmt"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
)

const (
	msgNotSigned      = "The binary is not signed."
	msgNotDeveloperID = "The binary is not signed with a valid Developer ID certificate."
	msgNoTimestamp    = "The signature does not include a secure timestamp."
	msgRuntime        = "The executable does not have the hardened runtime enabled."
	msgInvalid        = "The signature of the binary is invalid."
	signCommand       = "`codesign -f --timestamp -o runtime -s \"Developer ID Application: NAME (TEAMID)\" FILE`"
)

// MachOUnsigned reports code slices without a code signature.
var MachOUnsigned = &analyzer.Rule{
	ID:       "NL2001",
	Name:     "macho-unsigned",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "Mach-O code is not signed",
		Why: "Every executable, library, plug-in and native addon the notary service finds — by content, whatever " +
			"its name or platform, including inside archives — must carry a Developer ID signature. This slice has " +
			"no LC_CODE_SIGNATURE load command. Prebuilt .so/.jnilib/.node/.dylib files and x86_64 output of " +
			"non-Apple linkers are typical.",
		AppleMessages: []string{msgNotSigned, "code object is not signed at all"},
		NotaryMessage: msgNotSigned,
		DocURL:        resolvingURL + "#3087721",
		Fix:           "Sign it, inside-out (nested code first): " + signCommand + ".",
		Sources:       []string{"Apple, Resolving common notarization issues", "positron#14430", "jna#1306"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range codeSlices(p) {
			if !s.Signed() {
				p.Reportf(s.Arch, "%s has no LC_CODE_SIGNATURE load command", s.FileTypeName())
			}
		}
	},
}

// AdhocOrLinkerSigned reports slices with an ad-hoc or linker signature.
var AdhocOrLinkerSigned = &analyzer.Rule{
	ID:       "NL2002",
	Name:     "adhoc-or-linker-signed",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "Mach-O code is only ad-hoc or linker signed",
		Why: "An ad-hoc signature (codesign -s -, or the one Apple's linker adds to every arm64 binary) has no " +
			"certificate and no timestamp, so the notary service rejects it as not signed with a Developer ID " +
			"certificate and without a secure timestamp (and, for executables, usually without hardened runtime). " +
			"Detected from the CodeDirectory flags adhoc (0x2) or linker-signed (0x20000), or a missing or empty " +
			"CMS signature blob. Go, Rust and .NET builds shipped as linked are typical.",
		AppleMessages: []string{msgNotDeveloperID, msgNoTimestamp, "Signature=adhoc"},
		NotaryMessage: msgNotDeveloperID,
		DocURL:        resolvingURL + "#3087721",
		Fix:           "Re-sign with a Developer ID Application identity: " + signCommand + ".",
		Sources:       []string{"rcodesign code_directory.rs, verify.rs", "dotnet/macios#26609"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			if why := adhocReason(s.Signature); why != "" {
				p.Reportf(s.Arch, "signature is ad-hoc: %s; notary also reports %q", why, msgNoTimestamp)
			}
		}
	},
}

// adhocReason says why a signature counts as ad-hoc, or "".
func adhocReason(sig *codesign.Signature) string {
	var why []string
	if cd := sig.Primary(); cd != nil && cd.Flags&(codesign.FlagAdhoc|codesign.FlagLinkerSigned) != 0 {
		why = append(why, "CodeDirectory flags="+codesign.FlagString(cd.Flags))
	}
	switch {
	case !sig.HasSignatureSlot:
		why = append(why, "no CMS signature blob")
	case sig.IsAdhoc():
		why = append(why, "empty CMS signature blob")
	}
	return strings.Join(why, ", ")
}

// WeakSignatureAlgorithm reports signatures that only use SHA-1.
var WeakSignatureAlgorithm = &analyzer.Rule{
	ID:       "NL2003",
	Name:     "weak-signature-algorithm",
	Severity: analyzer.Warning,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "signature relies on SHA-1",
		Why: "Binaries signed long ago by old signers carry only a SHA-1 CodeDirectory, or a CMS signature whose " +
			"digest is SHA-1; the notary service rejects them as too weak. Current codesign writes a SHA-256 " +
			"CodeDirectory (often beside a SHA-1 one for old systems, which is fine) and a SHA-256 CMS. Inferred: the message is seen in real logs for such binaries, but which " +
			"property triggers it is concluded from the sources, so this rule defaults to warning.",
		AppleMessages: []string{"The signature algorithm used is too weak."},
		NotaryMessage: "The signature algorithm used is too weak.",
		Fix:           "Re-sign with a current codesign: " + signCommand + ".",
		Inferred:      true,
		Sources:       []string{"adoptium blog: bundling AdoptOpenJDK into a notarized macOS application", "rcodesign verify.rs"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			cds := s.Signature.CodeDirectories
			if len(cds) == 0 {
				continue
			}
			strong := false
			var types []string
			for _, cd := range cds {
				types = append(types, cd.HashName())
				if cd.HashType != codesign.HashSHA1 {
					strong = true
				}
			}
			if !strong {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "cd", Message: fmt.Sprintf("every CodeDirectory uses SHA-1 (%s); none uses SHA-256", strings.Join(types, ", "))})
			}
			if weakCMSDigest(s) {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "cms", Message: "the CMS signature's digest algorithm is SHA-1"})
			}
		}
	},
}

// describeCD names a CodeDirectory as "CodeDirectory slot 0x0 (sha256, flags=…)".
func describeCD(cd *codesign.CodeDirectory) string {
	return fmt.Sprintf("CodeDirectory slot %#x (%s, flags=%s)", cd.Slot, cd.HashName(), codesign.FlagString(cd.Flags))
}
