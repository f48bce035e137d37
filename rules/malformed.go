package rules

import (
	"github.com/notarylint/notarylint/analyzer"
)

// MalformedMachO reports Mach-O files, slices and code signatures that cannot
// be parsed.
var MalformedMachO = &analyzer.Rule{
	ID:       "NL9001",
	Name:     "malformed-macho",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "Mach-O file or code signature cannot be parsed",
		Why: "The file has Mach-O magic but a header, load command, universal header or embedded signature is " +
			"truncated or inconsistent, so neither notarylint nor Apple's tools can verify it. The message gives the " +
			"byte offset and the structure. Other slices and files are still checked.",
		AppleMessages: []string{msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Rebuild or re-sign the file; if it is not meant to be code, remove it from the upload.",
	},
	Check: func(p *analyzer.Pass) {
		m := p.MachO()
		if m == nil {
			return
		}
		if m.Err != nil {
			p.Report(analyzer.Finding{Key: "file", Message: m.Err.Error()})
			return
		}
		for _, s := range m.Slices {
			switch {
			case s.Err != nil:
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "slice", Message: s.Err.Error()})
			case s.SignatureErr != nil:
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "signature", Message: s.SignatureErr.Error()})
			case s.Signature != nil && len(s.Signature.CodeDirectories) == 0:
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "signature", Message: "code signature has no CodeDirectory"})
			}
		}
	},
}
