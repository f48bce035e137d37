package rules

import (
	"fmt"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/macho"
)

// minSDK is the oldest SDK the notary service accepts: 10.9.
var minSDK = macho.MakeVersion(10, 9, 0)

// SDKOlderThan109 reports code built against an SDK older than 10.9, or
// whose SDK is unknown.
var SDKOlderThan109 = &analyzer.Rule{
	ID:       "NL1001",
	Name:     "sdk-older-than-10.9",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "binary built with an SDK older than macOS 10.9",
		Why: "The notary service rejects every slice whose sdk field (LC_BUILD_VERSION, or LC_VERSION_MIN_MACOSX " +
			"for older binaries) is below 10.9, and every slice that records no SDK at all: no such load command, or " +
			"sdk 0, which otool shows as \"sdk n/a\". The deployment target (minos) does not matter. Old toolchains " +
			"(Unity Mono, OpenJDK 8, old Go linkers, prebuilt tools) produce such binaries. Slices that only carry " +
			"another platform's LC_VERSION_MIN_* command (iOS, tvOS, watchOS) are not checked.",
		AppleMessages: []string{
			"The binary uses an SDK older than the 10.9 SDK.",
			"Library validation warning=OS X SDK version before 10.9 does not support Library Validation",
		},
		NotaryMessage: "The binary uses an SDK older than the 10.9 SDK.",
		DocURL:        resolvingURL + "#3087723",
		Fix: "Rebuild with a current SDK. For a closed-source binary, `vtool -set-build-version macos <minos> <sdk> " +
			"-replace -output OUT IN` can rewrite the command; then re-sign it.",
		Sources: []string{"Apple, Resolving common notarization issues", "developer.apple.com/forums/thread/659964", "golang/go#31918, #35459"},
	},
	Check: checkSDK,
}

func checkSDK(p *analyzer.Pass) {
	for _, s := range codeSlices(p) {
		if msg := sdkProblem(s.Slice); msg != "" {
			p.Reportf(s.Arch, "%s", msg)
		}
	}
}

// sdkProblem says what is wrong with a slice's SDK version, or "".
func sdkProblem(s *macho.Slice) string {
	var cmd string
	var sdk macho.Version
	switch {
	case len(s.BuildVersions) > 0:
		bv := s.BuildVersions[0]
		for _, b := range s.BuildVersions {
			if b.Platform == macho.PlatformMacOS {
				bv = b
				break
			}
		}
		cmd, sdk = fmt.Sprintf("LC_BUILD_VERSION (platform %s)", bv.Platform), bv.SDK
	default:
		for _, v := range s.VersionMins {
			if v.IsMacOS() {
				cmd, sdk = "LC_VERSION_MIN_MACOSX", v.SDK
				break
			}
		}
		if cmd == "" && len(s.VersionMins) > 0 {
			return "" // another platform's binary; its SDK numbering is not macOS's
		}
	}
	switch {
	case cmd == "":
		return "has neither LC_BUILD_VERSION nor LC_VERSION_MIN_MACOSX, so it records no SDK version (otool: sdk n/a)"
	case sdk == 0:
		return fmt.Sprintf("%s records SDK 0 (otool: sdk n/a); the notary service requires the 10.9 SDK or later", cmd)
	case sdk < minSDK:
		return fmt.Sprintf("%s records SDK %s; the notary service requires the 10.9 SDK or later", cmd, sdk)
	}
	return ""
}
