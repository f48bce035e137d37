package rules

import (
	"github.com/notarylint/notarylint/analyzer"
)

// MachOLayoutStrict reports signed Mach-O files whose layout `codesign
// --verify --strict` rejects.
var MachOLayoutStrict = &analyzer.Rule{
	ID:       "NL1002",
	Name:     "macho-layout-strict",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "Mach-O layout fails codesign strict validation",
		Why: "Strict validation, which the notary service applies, requires that __LINKEDIT is the last segment and " +
			"ends exactly at the end of the slice, that the code signature is the last data in __LINKEDIT, and, in " +
			"a universal file, that slices do not overlap, that the gaps between them are zero padding shorter than " +
			"the slice alignment, and that nothing follows the last slice. Data appended after linking or signing " +
			"(installers that carry a payload, hand-built universal files, non-Apple signers) breaks this. Only " +
			"signed files are checked: unsigned ones are reported as unsigned.",
		AppleMessages: []string{
			"main executable failed strict validation",
			"The signature of the binary is invalid.",
		},
		NotaryMessage: "The signature of the binary is invalid.",
		DocURL:        resolvingURL + "#3087735",
		Fix: "Do not append data to a Mach-O file; build universal files with `lipo -create`; sign last with " +
			"`codesign -f --timestamp -o runtime -s \"Developer ID Application: …\"`.",
		Sources: []string{"Security: OSX/libsecurity_utilities/lib/macho++.cpp (STRICT VALIDATION ERROR)", "rcodesign verify.rs"},
	},
	Check: checkLayout,
}

func checkLayout(p *analyzer.Pass) {
	m := p.MachO()
	if m == nil || m.File == nil {
		return
	}
	anySigned := false
	for _, s := range m.Slices {
		if s.Err != nil || !s.Signed() {
			continue
		}
		anySigned = true
		for _, msg := range s.LayoutProblems() {
			p.Report(analyzer.Finding{Arch: s.Arch, Key: msg, Message: msg})
		}
	}
	if !anySigned {
		return
	}
	for _, msg := range m.Layout {
		p.Report(analyzer.Finding{Key: msg, Message: "universal file: " + msg})
	}
}
