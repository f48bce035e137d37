package rules

import (
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/bundle"
)

// InfoPlistIncomplete reports an Info.plist that does not describe the
// bundle's code.
var InfoPlistIncomplete = &analyzer.Rule{
	ID:       "NL4013",
	Name:     "infoplist-incomplete",
	Severity: analyzer.Warning,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "Info.plist is unreadable or does not name the bundle's code",
		Why: "codesign and Gatekeeper find a bundle's code through Info.plist: CFBundleIdentifier names it and " +
			"CFBundleExecutable names the main executable in Contents/MacOS (or the framework version " +
			"directory). An unreadable plist, a missing identifier, or an executable that is absent or not a " +
			"Mach-O file makes the bundle unsignable or unverifiable. Inferred: the notary's exact message is not " +
			"documented, so this is a warning.",
		AppleMessages: []string{"the code has no main executable file", "bundle format unrecognized, invalid, or unsuitable"},
		Fix:           "Fix Contents/Info.plist (XML or binary) so that CFBundleIdentifier and CFBundleExecutable are set and the executable exists, then re-sign.",
		Inferred:      true,
		Sources:       []string{"Security: CSCommon.h", "go-macos-codesign docs/bundles.md"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		at := inBundle(p, b, b.InfoPath)
		if b.InfoErr != nil {
			p.Report(analyzer.Finding{Path: at, Key: "read", Message: "Info.plist cannot be read: " + b.InfoErr.Error()})
			return
		}
		if b.Identifier() == "" {
			p.Report(analyzer.Finding{Path: at, Key: "id", Message: "Info.plist has no CFBundleIdentifier"})
		}
		exe, _ := b.Info["CFBundleExecutable"].(string)
		switch {
		case exe == "" && strings.HasSuffix(b.Name, ".app"):
			p.Report(analyzer.Finding{Path: at, Key: "exe", Message: "Info.plist has no CFBundleExecutable"})
		case exe != "" && b.Executable == "":
			p.Report(analyzer.Finding{Path: at, Key: "exe", Message: "CFBundleExecutable " + exe + " is not a file name"})
		case b.Executable != "" && b.Main == nil:
			msg := "CFBundleExecutable " + exe + " names " + strings.TrimPrefix(b.Rel(b.Executable), "/")
			if b.ExecutableMissing {
				msg += ", which does not exist"
			} else {
				msg += ", which is not a Mach-O file"
			}
			p.Report(analyzer.Finding{Path: at, Key: "exe", Message: msg})
		}
	},
}

// TicketNotStapled says that an app or a package has no stapled
// notarization ticket.
var TicketNotStapled = &analyzer.Rule{
	ID:       "NL8001",
	Name:     "ticket-not-stapled",
	Severity: analyzer.Info,
	Kinds:    []analyzer.Kind{analyzer.KindBundle, analyzer.KindPackage, analyzer.KindDiskImage},
	Doc: analyzer.Doc{
		Title: "app, package or disk image has no stapled notarization ticket",
		Why: "After notarization, `xcrun stapler staple` writes the ticket into the artifact — for an app to " +
			"Contents/CodeResources, for a flat package after the xar, framed by 't8lr' trailers, for a disk " +
			"image into its signature SuperBlob (slot 0x10002, outside the hashes it covers; an unsigned image " +
			"gets a SuperBlob holding the ticket alone) — so that " +
			"Gatekeeper can check it offline. Without it, the first launch or install needs the network. " +
			"Expected before notarization; shown so it is not forgotten after.",
		AppleMessages: []string{"does not have a ticket stapled to it.", "Notary Ticket Missing"},
		Fix:           "After notarization succeeds: `xcrun stapler staple App.app` (then archive it again), `xcrun stapler staple Installer.pkg` or `xcrun stapler staple App.dmg`.",
		Sources:       []string{"Security: notarization.cpp", "stapler(1)"},
	},
	Check: func(p *analyzer.Pass) {
		if f := p.DiskImage(); f != nil {
			if p.Item.TopLevel() && f.Image != nil && f.SignatureErr == nil && f.Ticket == nil {
				p.Reportf("", "no ticket in the disk image's signature (slot 0x10002)")
			}
			return
		}
		if f := p.Package(); f != nil {
			if f.Pkg == nil || !p.Item.TopLevel() || f.Signature == nil || !f.Signature.Signed() {
				return
			}
			switch {
			case f.Pkg.TicketErr != nil:
				p.Report(analyzer.Finding{Key: "trailer", Message: "the stapled ticket cannot be read: " + f.Pkg.TicketErr.Error()})
			case f.Pkg.Ticket == nil:
				p.Reportf("", "no ticket after the package's xar archive")
			}
			return
		}
		b := p.Bundle()
		if b == nil || b.Kind != bundle.App || !strings.HasSuffix(b.Name, ".app") || !b.Main.Signed() || insidePackage(p.Item) || onDiskImage(p.Item) {
			return // a package's own ticket covers the apps it installs; dmg-inner-app-not-stapled speaks for apps on an image
		}
		if !b.Stapled {
			p.Reportf("", "no ticket in Contents/CodeResources")
		}
	},
}
