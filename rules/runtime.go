package rules

import (
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/macho"
)

// HardenedRuntimeMissing reports executables signed without the hardened
// runtime.
var HardenedRuntimeMissing = &analyzer.Rule{
	ID:       "NL3001",
	Name:     "hardened-runtime-missing",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "executable is signed without the hardened runtime",
		Why: "The notary service requires the hardened runtime (CodeDirectory flag 0x10000, `codesign -o runtime`) " +
			"on every executable: the main one, helpers, command-line tools, and executables inside archives. " +
			"Every CodeDirectory of the slice (SHA-1 and SHA-256) must carry it. Libraries and plug-ins are not " +
			"flagged by the notary service (inferred from real logs, which show this message on executables only), " +
			"so only MH_EXECUTE files are checked.",
		AppleMessages: []string{msgRuntime},
		NotaryMessage: msgRuntime,
		DocURL:        resolvingURL,
		Fix:           "Sign with `-o runtime`: " + signCommand + "; in Xcode set ENABLE_HARDENED_RUNTIME=YES.",
		Sources:       []string{"Apple, Resolving common notarization issues (Enable the hardened runtime)", "xcnotary bundle.rs"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			if s.FileType != macho.TypeExecute {
				continue
			}
			var missing []string
			for _, cd := range s.Signature.CodeDirectories {
				if !cd.HasRuntime() {
					missing = append(missing, describeCD(cd))
				}
			}
			if len(missing) > 0 {
				p.Reportf(s.Arch, "hardened runtime flag (0x10000) missing from %s", strings.Join(missing, "; "))
			}
		}
	},
}
