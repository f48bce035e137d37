package rules

import (
	"github.com/notarylint/notarylint/analyzer"
)

// LegacySlices reports i386 and PowerPC slices.
var LegacySlices = &analyzer.Rule{
	ID:       "NL1003",
	Name:     "legacy-slices",
	Severity: analyzer.Info,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "Mach-O file carries legacy i386 or PowerPC code",
		Why: "Current macOS runs no 32-bit or PowerPC code, yet the notary service checks every slice and reports each " +
			"problem once per architecture. Old slices multiply the work and often carry old SDKs or no signature.",
		AppleMessages: []string{"(each notary issue is repeated per \"architecture\", e.g. i386)"},
		Fix:           "Remove them before signing: `lipo -remove i386 -output OUT IN` (likewise ppc, ppc64).",
		Sources:       []string{"electron/osx-sign#229"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range codeSlices(p) {
			switch s.Arch {
			case "i386", "ppc", "ppc64", "ppc7400", "ppc970":
				p.Reportf(s.Arch, "%s slice: macOS no longer runs this architecture, but the notary service still checks it", s.Arch)
			}
		}
	},
}

// BareMachOSubmitted says that a bare Mach-O input cannot be uploaded as is.
var BareMachOSubmitted = &analyzer.Rule{
	ID:       "NL1004",
	Name:     "bare-macho-submitted",
	Severity: analyzer.Info,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "a bare Mach-O file must be zipped or packaged to be notarized",
		Why: "notarytool accepts only UDIF disk images, signed flat installer packages and zip files. A bare " +
			"executable or library must be put in a zip (which cannot be stapled) or a package before upload.",
		AppleMessages: []string{
			"notarytool works only with UDIF disk images, signed \"flat\" installer packages, and zip files",
			"ERROR ITMS-4064: \"File extension of file 'X' is invalid for this software; use 'zip,pkg,dmg' instead.\"",
		},
		Fix: "`ditto -c -k --keepParent TOOL TOOL.zip` and submit the zip (no ticket can be stapled), or ship the " +
			"tool in a signed installer package.",
		Sources: []string{"notarytool(1)", "uberware/sqi#45"},
	},
	Check: func(p *analyzer.Pass) {
		if p.Item.TopLevel() {
			p.Reportf("", "this input is a bare Mach-O file; notarytool accepts only zip, flat pkg and dmg uploads")
		}
	},
}
