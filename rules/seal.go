package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/codesign"
)

var bundleKinds = []analyzer.Kind{analyzer.KindBundle}

const dittoCommand = "`ditto -c -k --sequesterRsrc --keepParent App.app App.zip`"

// sealProblemRule makes a rule that reports the seal problems of the given
// kinds.
func sealProblemRule(r *analyzer.Rule, kinds ...bundle.ProblemKind) *analyzer.Rule {
	r.Kinds = bundleKinds
	r.Check = func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		for _, pr := range b.SealProblems {
			for _, k := range kinds {
				if pr.Kind == k {
					p.Report(analyzer.Finding{
						Path:    inBundle(p, b, path.Join(b.Content, pr.Path)),
						Key:     pr.Kind.String() + ":" + pr.Path,
						Message: fmt.Sprintf("%s: %s: %s", pr.Kind, pr.Path, pr.Detail),
					})
				}
			}
		}
	}
	return r
}

// SealedResourceInvalid reports files added, modified or removed after the
// bundle was sealed.
var SealedResourceInvalid = sealProblemRule(&analyzer.Rule{
	ID:       "NL4001",
	Name:     "sealed-resource-invalid",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "bundle resources differ from their seal",
		Why: "_CodeSignature/CodeResources seals every resource of the bundle (files2: SHA-256 per file, symlink " +
			"targets, nested code). A file added, modified or removed after signing, a symlink that now points " +
			"elsewhere, or a name whose Unicode normalization a zip tool changed (NFC/NFD) breaks the seal; " +
			"codesign reports \"a sealed resource is missing or invalid\" and the notary service rejects the " +
			"bundle's executable as invalid.",
		AppleMessages: []string{"a sealed resource is missing or invalid", "file added", "file modified", "file missing", msgInvalid},
		NotaryMessage: msgInvalid,
		DocURL:        resolvingURL + "#3087735",
		Fix:           "Make every change before signing and sign last; archive with " + dittoCommand + " so names and links survive.",
		Sources:       []string{"Security: bundlediskrep.cpp, CSCommon.h", "beeware/briefcase#1218"},
	},
}, bundle.FileModified, bundle.FileMissing, bundle.FileAdded, bundle.SymlinkChanged, bundle.Normalization)

// NestedCodeModified reports nested code whose cdhash differs from the one
// the enclosing bundle sealed.
var NestedCodeModified = sealProblemRule(&analyzer.Rule{
	ID:       "NL4002",
	Name:     "nested-code-modified",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "nested code changed after the enclosing bundle was signed",
		Why: "The seal records the cdhash of every nested framework, helper, plug-in and tool. Re-signing or " +
			"changing nested code after the enclosing bundle was signed leaves a different cdhash: codesign " +
			"reports \"nested code is modified or invalid\". Sign inside-out: nested code first, the enclosing " +
			"bundle last.",
		AppleMessages: []string{"nested code is modified or invalid", msgInvalid},
		NotaryMessage: msgInvalid,
		DocURL:        resolvingURL + "#3087735",
		Fix:           "Re-sign the enclosing bundle after its nested code: `codesign -f --timestamp -o runtime -s \"Developer ID Application: …\" App.app`.",
		Sources:       []string{"Security: StaticCode.cpp validateNestedCode", "Apple, Creating distribution-signed code for macOS"},
	},
}, bundle.NestedModified)

// NestedCodeUnsigned reports unsigned code, or data, in nested-code locations.
var NestedCodeUnsigned = sealProblemRule(&analyzer.Rule{
	ID:       "NL4003",
	Name:     "nested-code-unsigned",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "nested-code location holds unsigned code or data",
		Why: "Everything in Contents/MacOS, Frameworks, PlugIns, XPCServices, Helpers, Library/LoginItems and " +
			"files directly in Contents is nested code: it must be a signed Mach-O file or a signed bundle. " +
			"Unsigned code there is rejected (\"code object is not signed at all\", \"In subcomponent: …\"), and " +
			"data files there can only be signed into extended attributes, which archives drop.",
		AppleMessages: []string{"code object is not signed at all", "In subcomponent:", msgNotSigned},
		NotaryMessage: msgNotSigned,
		DocURL:        resolvingURL + "#3087721",
		Fix:           "Move data to Contents/Resources; sign each code item (inside-out) before the enclosing bundle.",
		Sources:       []string{"Security: bundlediskrep.cpp rules2, resources.cpp", "Apple, Placing content in a bundle"},
	},
}, bundle.NestedUnsigned)

// ResourceDirHashMismatch reports a CodeResources file that the main
// executable's signature does not bind.
var ResourceDirHashMismatch = &analyzer.Rule{
	ID:       "NL4004",
	Name:     "resource-dir-hash-mismatch",
	Severity: analyzer.Error,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "CodeResources changed after the executable was signed",
		Why: "Special slot -3 of the main executable's CodeDirectory is the hash of _CodeSignature/CodeResources. " +
			"A seal replaced or edited after signing, a seal without a hash, or a hash without a seal, breaks the " +
			"signature: codesign reports \"invalid resource directory\".",
		AppleMessages: []string{"invalid resource directory (directory or signature have been modified)", msgInvalid},
		NotaryMessage: msgInvalid,
		DocURL:        resolvingURL + "#3087735",
		Fix:           "Re-sign the bundle: `codesign -f --timestamp -o runtime -s \"Developer ID Application: …\" App.app`.",
		Sources:       []string{"Security: CSCommon.h"},
	},
	Check: func(p *analyzer.Pass) {
		reportBundleSlots(p, codesign.SlotResourceDir, "the bundle's _CodeSignature/CodeResources")
	},
}

// reportBundleSlots reports mismatches of one special slot of the main
// executable.
func reportBundleSlots(p *analyzer.Pass, slot int, what string) {
	b := p.Bundle()
	if b == nil {
		return
	}
	for _, m := range b.Slots {
		if m.Slot == slot {
			p.Report(analyzer.Finding{
				Path: inBundle(p, b, b.Executable),
				Key:  fmt.Sprintf("%d/%#x", slot, m.CD.Slot), Message: slotMessage(m, what),
			})
		}
	}
}

// inBundle turns a path of the input's file system inside the bundle into a
// finding path: the bundle item's path joined with the path below the
// bundle directory.
func inBundle(p *analyzer.Pass, b *analyzer.BundleFacts, fsysPath string) string {
	rel := fsysPath
	if b.Dir != "." {
		rel = strings.TrimPrefix(strings.TrimPrefix(fsysPath, b.Dir), "/")
	}
	return path.Join(p.Item.Path, rel)
}

// DataInCodeLocation reports data files signed into extended attributes in
// nested-code locations.
var DataInCodeLocation = sealProblemRule(&analyzer.Rule{
	ID:       "NL4015",
	Name:     "data-in-code-location",
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "data file stored in a nested-code location",
		Why: "Files in Contents/MacOS, Frameworks, PlugIns and the other nested-code locations are sealed as code. " +
			"A data file there can only be signed into extended attributes, which zip tools, CI artifact stores and " +
			"copies to other file systems drop; notarization also slows down. It verifies here, but is fragile.",
		AppleMessages: []string{"Don't save non-executable files in places that require code signatures"},
		Fix:           "Move data to Contents/Resources and re-sign.",
		Sources:       []string{"Apple, Customizing the notarization workflow", "Apple, Placing content in a bundle"},
	},
}, bundle.DataInCodeLocation)

// DottedDirInCodeLocation reports directories with a dot in their name in
// nested-code locations that are not bundles.
var DottedDirInCodeLocation = sealProblemRule(&analyzer.Rule{
	ID:       "NL4016",
	Name:     "dotted-dir-in-code-location",
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "directory with a dot in its name in a nested-code location is not a bundle",
		Why: "In Frameworks, PlugIns and the other nested-code locations, codesign takes every directory whose name " +
			"contains a dot for a bundle. One that is not (no Contents/Info.plist, no Versions) cannot be signed, " +
			"so signing the enclosing bundle fails. Inferred from Apple's layout rules, hence a warning.",
		AppleMessages: []string{"bundle format unrecognized, invalid, or unsuitable"},
		Fix:           "Rename the directory without a dot, or move it to Contents/Resources.",
		Inferred:      true,
		Sources:       []string{"Security: resources.cpp", "Apple, Placing content in a bundle"},
	},
}, bundle.DottedDirectory)
