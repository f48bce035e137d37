package rules

import (
	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/bundle"
)

// structureRule makes a rule that reports the layout problems of one kind.
func structureRule(r *analyzer.Rule, kind bundle.StructureKind) *analyzer.Rule {
	r.Kinds = bundleKinds
	r.Check = func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		for _, sp := range b.Structure {
			if sp.Kind == kind {
				p.Report(analyzer.Finding{Path: inBundle(p, b, sp.Path), Key: sp.Path, Message: sp.Detail})
			}
		}
	}
	return r
}

// BundleRootUnsealed reports entries beside Contents at a bundle root.
var BundleRootUnsealed = structureRule(&analyzer.Rule{
	ID:       "NL4005",
	Name:     "bundle-root-unsealed",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "files beside Contents at the bundle root",
		Why: "A bundle's root may hold only Contents (and .LSOverride, .DS_Store, Icon\\r, " +
			".SoftwareDepot.tracking); nothing there is sealed. SwiftPM resource bundles copied next to Contents " +
			"are the classic case. Stray files in _CodeSignature are reported too. codesign --strict and " +
			"Gatekeeper reject the bundle.",
		AppleMessages: []string{"unsealed contents present in the bundle root", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Move the file into Contents/Resources (or remove it) and re-sign.",
		Sources:       []string{"Security: bundlediskrep.cpp"},
	},
}, bundle.RootUnsealed)

// FrameworkRootUnsealed reports framework roots with entries that are not
// symlinks into Versions/Current.
var FrameworkRootUnsealed = structureRule(&analyzer.Rule{
	ID:       "NL4006",
	Name:     "framework-root-unsealed",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "framework root holds unsealed entries",
		Why: "A versioned framework's root may hold only Versions and symbolic links to Versions/Current/<same " +
			"name> (plus .DS_Store and module.map). Anything else is unsealed, and codesign --strict rejects the " +
			"framework.",
		AppleMessages: []string{"unsealed contents present in the root directory of an embedded framework", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Rebuild the framework layout (Apple, Placing content in a bundle) and re-sign.",
		Sources:       []string{"Security: bundlediskrep.cpp validateFrameworkRoot"},
	},
}, bundle.FrameworkRoot)

// FrameworkSymlinksFlattened reports frameworks whose symlinks became copies.
var FrameworkSymlinksFlattened = structureRule(&analyzer.Rule{
	ID:       "NL4007",
	Name:     "framework-symlinks-flattened",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "framework symlinks were replaced by copies",
		Why: "`zip -r` without -y, CI artifact uploads and `cp` without -R turn a framework's Versions/Current " +
			"and root links into directories and duplicate files. The framework's format becomes ambiguous and " +
			"the notary service reports its code as invalid.",
		AppleMessages: []string{"bundle format is ambiguous (could be app or framework)", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Archive with " + dittoCommand + " or `zip -y`, never with plain `zip -r`.",
		Sources:       []string{"flutter/flutter#148994", "bazelbuild/rules_apple#737"},
	},
}, bundle.FrameworkFlattened)

// SymlinkEscapesBundle reports symlinks that leave the bundle or dangle.
var SymlinkEscapesBundle = structureRule(&analyzer.Rule{
	ID:       "NL4008",
	Name:     "symlink-escapes-bundle",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "symbolic link leaves the bundle or dangles",
		Why: "Relative links must resolve inside the bundle to something that exists; absolute links may only " +
			"point under /System/ or /Library/. Links to the build machine (npm .bin links, cpSync copies) and " +
			"dangling links are rejected by codesign --strict and make stapling fail.",
		AppleMessages: []string{"invalid destination for symbolic link in bundle", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Replace the link by a relative link inside the bundle or by the file itself, then re-sign.",
		Sources:       []string{"Security: StaticCode.cpp (allowedDestinations)", "codesign(1) --strict=symlinks"},
	},
}, bundle.SymlinkEscapes)

// AppleDoubleInBundle reports ._ files.
var AppleDoubleInBundle = structureRule(&analyzer.Rule{
	ID:       "NL4009",
	Name:     "appledouble-in-bundle",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "AppleDouble ._ files in the bundle",
		Why: "`._name` files carry a file's resource fork and extended attributes when unzip or tar extract an " +
			"archive on a file system without them, or when tar runs without COPYFILE_DISABLE=1. Inside a bundle " +
			"they are unsealed resources or unsigned nested \"code\".",
		AppleMessages: []string{"a sealed resource is missing or invalid", "code object is not signed at all", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Delete them (`dot_clean`), archive with " + dittoCommand + ", and extract with `ditto -x -k`.",
		Sources:       []string{"deploymenttheory/go-macos-codesign acceptance tests"},
	},
}, bundle.AppleDouble)

// NotRegularFile reports a symlinked main executable or Info.plist, and
// special files.
var NotRegularFile = structureRule(&analyzer.Rule{
	ID:       "NL4010",
	Name:     "not-regular-file",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "main executable or Info.plist is not a regular file",
		Why: "The main executable and Info.plist must be regular files, not symbolic links, and a bundle may hold " +
			"only directories, regular files and symbolic links (no pipes, sockets or devices).",
		AppleMessages: []string{
			"the main executable or Info.plist must be a regular file (no symlinks, etc.)",
			"unsupported resource found (something not a directory, file or symlink)",
		},
		Fix:     "Replace the link by the file it points to, remove special files, and re-sign.",
		Sources: []string{"Security: CSCommon.h, resources.cpp"},
	},
}, bundle.NotRegular)

// MachOInResources reports code under Contents/Resources.
var MachOInResources = structureRule(&analyzer.Rule{
	ID:       "NL4011",
	Name:     "macho-in-resources",
	Severity: analyzer.Warning,
	Doc: analyzer.Doc{
		Title: "Mach-O code under Resources",
		Why: "Code in Contents/Resources is sealed as data and skipped by codesign --deep, so it is often left " +
			"unsigned; syspolicy_check reports \"Incorrect Bundle Structure\". The notary still checks it as " +
			"code: its own findings (unsigned, no timestamp, …) are reported separately.",
		AppleMessages: []string{"Resources directory contains Mach-o binaries.", "Incorrect Bundle Structure"},
		Fix:           "Move executables to Contents/Helpers or Contents/MacOS and libraries to Contents/Frameworks, or sign them explicitly.",
		Sources:       []string{"syspolicy_check output", "indygreg/apple-platform-rs#178"},
	},
}, bundle.MachOInResources)

// CodeResourcesSymlink reports a symlinked stapled-ticket location.
var CodeResourcesSymlink = structureRule(&analyzer.Rule{
	ID:       "NL8002",
	Name:     "coderesources-symlink",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "Contents/CodeResources is a symbolic link",
		Why: "The stapler writes the notarization ticket to Contents/CodeResources and needs a regular file there " +
			"(stapler(1), BUGS). A symbolic link, often left by old build scripts, makes stapling fail.",
		AppleMessages: []string{"If an executable bundle contains a symlink at Contents/CodeResources, it must be manually deleted before staple will function."},
		Fix:           "Delete Contents/CodeResources before stapling.",
		Sources:       []string{"stapler(1)", "Security: notarization.cpp"},
	},
}, bundle.TicketSymlink)

// ObsoleteResourceEnvelope reports bundles sealed only in the version 1 form.
var ObsoleteResourceEnvelope = &analyzer.Rule{
	ID:       "NL4012",
	Name:     "obsolete-resource-envelope",
	Severity: analyzer.Error,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "bundle is sealed only with the obsolete version 1 envelope",
		Why: "Since macOS 10.9.5 a seal needs the version 2 envelope (files2, rules2). A CodeResources without it " +
			"was signed on 10.8 or earlier or with custom --resource-rules, and Gatekeeper rejects it.",
		AppleMessages: []string{"resource envelope is obsolete (version 1 signature)", "resource envelope is obsolete (custom omit rules)", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Re-sign on a current macOS with a current codesign, without --resource-rules.",
		Sources:       []string{"Security: CSCommon.h, policyengine.cpp"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		switch {
		case b.SealErr != nil:
			p.Report(analyzer.Finding{Path: inBundle(p, b, b.SealPath), Message: "CodeResources cannot be read: " + b.SealErr.Error()})
		case b.Seal != nil && !b.Seal.HasV2():
			p.Report(analyzer.Finding{Path: inBundle(p, b, b.SealPath), Message: "CodeResources has no files2/rules2 (version 2) envelope"})
		}
	},
}

// FrameworkBadVersion reports framework versions other than Current that do
// not verify.
var FrameworkBadVersion = &analyzer.Rule{
	ID:       "NL4014",
	Name:     "framework-bad-version",
	Severity: analyzer.Error,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "a framework version other than Current is unsigned or modified",
		Why: "codesign verifies every version in a framework's Versions directory, not only Current. An old " +
			"version left unsigned, or one whose seal no longer matches, makes the whole framework invalid.",
		AppleMessages: []string{"embedded framework contains modified or invalid version", msgInvalid},
		NotaryMessage: msgInvalid,
		Fix:           "Ship one version (A) only, or sign every version; then re-sign the enclosing bundle.",
		Sources:       []string{"Security: StaticCode.cpp validateOtherVersions", "Apple, Placing content in a bundle"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		for _, v := range b.BadVersions {
			p.Report(analyzer.Finding{Key: v, Message: "framework version " + v})
		}
	},
}

// XattrDetritus reports Finder info and resource forks on bundle files.
var XattrDetritus = structureRule(&analyzer.Rule{
	ID:       "NL4017",
	Name:     "xattr-detritus",
	Severity: analyzer.Error,
	Doc: analyzer.Doc{
		Title: "bundle file carries Finder info or a resource fork",
		Why: "codesign refuses to sign, and --strict verification rejects, bundle files that carry the extended " +
			"attributes com.apple.FinderInfo or com.apple.ResourceFork (custom icons, files opened through Finder's " +
			"Show Package Contents). Read on a Mac's file system; elsewhere such attributes travel as ._ files " +
			"(appledouble-in-bundle).",
		AppleMessages: []string{"resource fork, Finder information, or similar detritus not allowed", "Disallowed xattr com.apple.FinderInfo found on"},
		Fix:           "`xattr -cr App.app` before signing, or `codesign --strip-disallowed-xattrs`.",
		Sources:       []string{"Apple QA1940", "Security: StaticCode.cpp", "codesign(1)"},
	},
}, bundle.XattrDetritus)
