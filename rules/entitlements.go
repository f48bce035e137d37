package rules

import (
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

const getTaskAllowKey = "com.apple.security.get-task-allow"

// GetTaskAllow reports the debugging entitlement.
var GetTaskAllow = &analyzer.Rule{
	ID:       "NL3002",
	Name:     "get-task-allow",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "code requests the get-task-allow debugging entitlement",
		Why: "com.apple.security.get-task-allow lets any process attach a debugger. Xcode injects it into Debug " +
			"builds (CODE_SIGN_INJECT_BASE_ENTITLEMENTS=YES); the notary service rejects any code that requests it " +
			"with the value true, in the XML (slot 5) or DER (slot 7) entitlements.",
		AppleMessages: []string{"The executable requests the com.apple.security.get-task-allow entitlement."},
		NotaryMessage: "The executable requests the com.apple.security.get-task-allow entitlement.",
		DocURL:        resolvingURL + "#3087731",
		Fix: "Remove the key from the entitlements file (or set CODE_SIGN_INJECT_BASE_ENTITLEMENTS=NO and build " +
			"Release), then re-sign with `codesign -f --timestamp -o runtime --entitlements E.plist -s …`.",
		Sources: []string{"Apple, Resolving common notarization issues", "microsoft/scalar#345", "sindresorhus/LaunchAtLogin-Legacy#70"},
		// Any local process may attach to and control the program.
		SecuritySeverity: "6.5",
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			var where []string
			if s.Entitlements.Bool(getTaskAllowKey) {
				where = append(where, "XML entitlements (slot 5)")
			}
			if s.EntitlementsDER.Bool(getTaskAllowKey) {
				where = append(where, "DER entitlements (slot 7)")
			}
			if len(where) > 0 {
				p.Reportf(s.Arch, "%s is true in the %s", getTaskAllowKey, strings.Join(where, " and "))
			}
		}
	},
}

// EntitlementsMalformed reports entitlements Apple cannot parse.
var EntitlementsMalformed = &analyzer.Rule{
	ID:       "NL3003",
	Name:     "entitlements-malformed",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "embedded entitlements are not a valid XML property list",
		Why: "Entitlements must be embedded as a text XML property list: no binary plist (bplist00), no byte-order " +
			"mark, ASCII only, well-formed XML whose root is a dictionary. Files round-tripped through Windows CI or " +
			"converted by tools break this; the notary service rejects the upload and, since macOS 10.15.4, AMFI " +
			"refuses to launch the code. DER entitlements (slot 7) that do not decode are reported too. Bytes after " +
			"the closing </plist> are not reported.",
		AppleMessages: []string{
			"Embedded entitlements are invalid: syntax error near line 1",
			"The signature could not be validated because AMFI could not load its entitlements for validation: entitlements cannot be parsed",
		},
		DocURL: resolvingURL + "#3561456",
		Fix: "`plutil -convert xml1 X.entitlements && plutil -lint X.entitlements` (standard XML, LF line endings, " +
			"no comments, no byte-order mark), then re-sign with --entitlements.",
		Sources: []string{"Apple, Resolving common notarization issues (Ensure properly formatted entitlements)", "Apple, Creating distribution-signed code for macOS"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			if s.EntitlementsErr != nil {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "xml", Message: "XML entitlements (slot 5): " + s.EntitlementsErr.Error()})
			}
			if s.EntitlementsDERErr != nil {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "der", Message: "DER entitlements (slot 7): " + s.EntitlementsDERErr.Error()})
			}
		}
	},
}
