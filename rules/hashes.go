package rules

import (
	"fmt"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
)

// CodeHashMismatch reports code pages whose hashes no longer match.
var CodeHashMismatch = &analyzer.Rule{
	ID:       "NL2008",
	Name:     "code-hash-mismatch",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "code was modified after signing",
		Why: "Every CodeDirectory stores a hash of each code page up to its code limit. A page whose bytes no longer " +
			"hash to the stored value means the file changed after it was signed (install_name_tool, strip, vtool, " +
			"patchers, packers), and codesign, the notary service and the kernel reject it. Every CodeDirectory " +
			"(SHA-1 and SHA-256) is checked; the message names the first bad page and its file offset.",
		AppleMessages: []string{msgInvalid, "invalid signature (code or signature have been modified)"},
		NotaryMessage: msgInvalid,
		DocURL:        resolvingURL + "#3087735",
		Fix:           "Make every edit first and sign last; re-sign the file: " + signCommand + ".",
		Sources:       []string{"Apple, Resolving common notarization issues", "rcodesign verify.rs"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			if s.PagesErr != nil {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "pages", Message: "code pages cannot be verified: " + s.PagesErr.Error()})
				continue
			}
			var bad []string
			for _, m := range s.Pages {
				if m != nil {
					bad = append(bad, fmt.Sprintf("page %d (file offset %#x, %d bytes) does not match CodeDirectory slot %#x (%s)",
						m.Page, s.Offset+m.Offset, m.Size, m.CD.Slot, m.CD.HashName()))
				}
			}
			if len(bad) > 0 {
				p.Report(analyzer.Finding{Arch: s.Arch, Key: "pages", Message: "the code changed after signing: " + strings.Join(bad, "; ")})
			}
		}
	},
}

// slotRule makes the rule for special-slot mismatches of the given slots.
func slotRule(id, name, title, what string, slots []int, messages []string, why string) *analyzer.Rule {
	return &analyzer.Rule{
		ID:       id,
		Name:     name,
		Severity: analyzer.Error,
		Kinds:    []analyzer.Kind{analyzer.KindMachO, analyzer.KindBundle},
		Doc: analyzer.Doc{
			Title:         title,
			Why:           why,
			AppleMessages: append(messages, msgInvalid),
			NotaryMessage: msgInvalid,
			DocURL:        resolvingURL + "#3087735",
			Fix:           "Re-sign after the last change: " + signCommand + ".",
			Sources:       []string{"Security: codedirectory.h special slots", "rcodesign verify.rs"},
		},
		Check: func(p *analyzer.Pass) {
			for _, slot := range slots {
				reportBundleSlots(p, slot, what)
			}
			for _, s := range signedSlices(p) {
				for _, m := range s.Slots {
					if !containsInt(slots, m.Slot) {
						continue
					}
					p.Report(analyzer.Finding{Arch: s.Arch, Key: fmt.Sprintf("%d/%#x", m.Slot, m.CD.Slot), Message: slotMessage(m, what)})
				}
			}
		},
	}
}

func slotMessage(m *codesign.SlotMismatch, what string) string {
	cd := fmt.Sprintf("CodeDirectory slot %#x (%s) special slot -%d", m.CD.Slot, m.CD.HashName(), m.Slot)
	switch {
	case m.Present && !m.Stored:
		return fmt.Sprintf("the signature carries %s, but %s does not bind it (no hash)", what, cd)
	case !m.Present:
		return fmt.Sprintf("%s binds %s, but the signature carries none", cd, what)
	}
	return fmt.Sprintf("%s does not match the hash of %s: it was changed after signing", cd, what)
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// EntitlementsHashMismatch reports entitlements blobs that their
// CodeDirectory does not bind.
var EntitlementsHashMismatch = slotRule("NL2009", "entitlements-hash-mismatch",
	"entitlements changed after signing", "the entitlements (slot 5 XML or slot 7 DER)",
	[]int{codesign.SlotEntitlements, codesign.SlotEntitlementsDER},
	[]string{"invalid signature (code or signature have been modified)"},
	"Special slots -5 and -7 of each CodeDirectory hold the hashes of the XML and DER entitlements blobs. A blob "+
		"that no longer hashes to them, or a blob without a hash, means the entitlements were edited after "+
		"signing or spliced in by a tool; the signature is invalid.")

// RequirementsHashMismatch reports requirements blobs that their
// CodeDirectory does not bind.
var RequirementsHashMismatch = slotRule("NL2010", "requirements-hash-mismatch",
	"designated requirements changed after signing", "the requirements blob (slot 2)",
	[]int{codesign.SlotRequirements},
	[]string{"invalid signature (code or signature have been modified)"},
	"Special slot -2 of each CodeDirectory holds the hash of the requirements blob. A requirements blob that no "+
		"longer hashes to it, or one without a hash, means the signature was altered after signing.")

// InfoPlistHashMismatch reports a standalone tool whose embedded Info.plist
// changed after signing.
var InfoPlistHashMismatch = slotRule("NL2015", "infoplist-hash-mismatch",
	"Info.plist changed after signing", "the Info.plist",
	[]int{codesign.SlotInfo},
	[]string{"invalid Info.plist (plist or signature have been modified)"},
	"Special slot -1 of the main executable's CodeDirectory binds the bundle's Info.plist (for a standalone "+
		"tool, the __TEXT,__info_plist section it embeds). An Info.plist edited after signing (a version bump, a "+
		"re-serialised plist) no longer matches: codesign reports \"invalid Info.plist\", and the notary service "+
		"reports the executable as invalid (inferred from codesign's behaviour).")
