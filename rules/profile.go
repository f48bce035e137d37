package rules

import (
	"crypto/x509"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/macho"
)

// restrictedKeys returns the sorted restricted entitlement keys of ents.
func restrictedKeys(ents codesign.Entitlements) []string {
	var out []string
	for k := range ents {
		if bundle.IsRestrictedEntitlement(k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// RestrictedEntitlementNoProfile reports restricted entitlements that no
// provisioning profile authorises.
var RestrictedEntitlementNoProfile = &analyzer.Rule{
	ID:       "NL3004",
	Name:     "restricted-entitlement-no-profile",
	Severity: analyzer.Warning,
	Kinds:    []analyzer.Kind{analyzer.KindBundle, analyzer.KindMachO},
	Doc: analyzer.Doc{
		Title: "restricted entitlements without a provisioning profile",
		Why: "On macOS only the App Sandbox and Hardened Runtime entitlements (com.apple.security.*) are free. " +
			"Everything else (com.apple.developer.*, com.apple.application-identifier, keychain-access-groups) must " +
			"be authorised by a provisioning profile embedded at Contents/embedded.provisionprofile. The notary " +
			"service accepts the upload, but the code is killed at launch (\"Unsatisfied entitlements\", " +
			"\"No matching profile found\"). A standalone executable cannot carry a profile at all.",
		AppleMessages: []string{
			"Unsatisfied entitlements",
			"Restricted entitlements not validated, bailing out. Error: Error Domain=AppleMobileFileIntegrityError Code=-413 \"No matching profile found\"",
		},
		Fix: "Create a Developer ID provisioning profile for the App ID with these capabilities, copy it to " +
			"Contents/embedded.provisionprofile before signing; or drop the entitlements; wrap a daemon or tool in an " +
			"app-like bundle to give it a profile.",
		Sources: []string{"Apple TN3125 (Entitlements on macOS, Profile location)", "developer.apple.com/forums/thread/744377"},
	},
	Check: func(p *analyzer.Pass) {
		if b := p.Bundle(); b != nil {
			if keys := restrictedKeys(b.Entitlements()); len(keys) > 0 && b.Profile == nil && b.ProfileErr == nil {
				p.Report(analyzer.Finding{Path: inBundle(p, b, b.Executable),
					Message: fmt.Sprintf("the main executable claims %s, but the bundle has no Contents/%s", strings.Join(keys, ", "), bundle.ProfileName)})
			}
			return
		}
		// A bare Mach-O input: it can never carry a profile.
		if p.Item.Parent != nil && p.Item.Parent.Kind == analyzer.KindBundle {
			return
		}
		for _, s := range signedSlices(p) {
			ents := codesign.Entitlements{}
			for _, e := range []codesign.Entitlements{s.Entitlements, s.EntitlementsDER} {
				for k, v := range e {
					ents[k] = v
				}
			}
			if keys := restrictedKeys(ents); len(keys) > 0 && s.FileType == macho.TypeExecute {
				p.Reportf(s.Arch, "this standalone executable claims %s; restricted entitlements need a provisioning profile, which only a bundle can carry", strings.Join(keys, ", "))
			}
		}
	},
}

// ProfileMismatch reports a provisioning profile that does not authorise
// what the code claims.
var ProfileMismatch = &analyzer.Rule{
	ID:       "NL3005",
	Name:     "profile-mismatch",
	Severity: analyzer.Warning,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "provisioning profile does not authorise the app's entitlements",
		Why: "The embedded profile is an allowlist: every restricted entitlement the main executable claims must " +
			"be allowed by the profile's Entitlements (wildcards like TEAMID.* included); its TeamIdentifier must " +
			"be the signing team; the signing certificate must be among its DeveloperCertificates; it must not be " +
			"expired and must be for macOS. Otherwise the notary accepts the upload and the app fails at launch.",
		AppleMessages: []string{"Unsatisfied entitlements", "No matching profile found"},
		Fix:           "Regenerate the Developer ID provisioning profile for this exact App ID, team and certificate with all capabilities, embed it, re-sign.",
		Sources:       []string{"Apple TN3125"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil {
			return
		}
		at := inBundle(p, b, path.Join(b.Content, bundle.ProfileName))
		if b.ProfileErr != nil {
			p.Report(analyzer.Finding{Path: at, Key: "read", Message: "the provisioning profile cannot be read: " + b.ProfileErr.Error()})
			return
		}
		prof := b.Profile
		if prof == nil {
			return
		}
		report := func(key, format string, args ...any) {
			p.Report(analyzer.Finding{Path: at, Key: key, Message: fmt.Sprintf(format, args...)})
		}
		ents := b.Entitlements()
		for _, k := range restrictedKeys(ents) {
			if !prof.Allows(k, ents[k]) {
				report("allow:"+k, "the profile does not allow %s = %v", k, ents[k])
			}
		}
		team := mainTeam(b)
		if team != "" && prof.TeamID() != "" && prof.TeamID() != team {
			report("team", "the profile is for team %s, the app is signed by team %s", prof.TeamID(), team)
		}
		if groups, ok := ents["keychain-access-groups"].([]any); ok && team != "" {
			for _, g := range groups {
				if s, ok := g.(string); ok && !strings.HasPrefix(s, team+".") {
					report("keychain:"+s, "keychain access group %q does not start with the team ID %s", s, team)
				}
			}
		}
		if leaf := mainLeaf(b); leaf != nil && len(prof.DeveloperCertificates) > 0 && !prof.HasCertificate(leaf) {
			report("cert", "the signing certificate %s is not among the profile's DeveloperCertificates", certName(leaf))
		}
		if !prof.ExpirationDate.IsZero() && prof.ExpirationDate.Before(time.Now()) {
			report("expired", "the profile expired on %s", prof.ExpirationDate.UTC().Format(time.RFC3339))
		}
		if len(prof.Platform) > 0 && !containsString(prof.Platform, "OSX") {
			report("platform", "the profile is for %s, not macOS (OSX)", strings.Join(prof.Platform, ", "))
		}
	},
}

// DevProfileEmbedded reports development profiles in distributed apps.
var DevProfileEmbedded = &analyzer.Rule{
	ID:       "NL3006",
	Name:     "dev-profile-embedded",
	Severity: analyzer.Warning,
	Kinds:    bundleKinds,
	Doc: analyzer.Doc{
		Title: "a development provisioning profile is embedded",
		Why: "Xcode embeds a development profile in Debug and development-signed builds: it lists ProvisionedDevices " +
			"(or allows get-task-allow). On other Macs the app fails to launch. Developer ID profiles have " +
			"ProvisionsAllDevices instead.",
		AppleMessages: []string{"Replace it with a distribution provisioning profile."},
		Fix:           "Export with Developer ID distribution so Xcode embeds the Developer ID profile, or embed it by hand before signing.",
		Sources:       []string{"Apple, Creating distribution-signed code for macOS"},
	},
	Check: func(p *analyzer.Pass) {
		b := p.Bundle()
		if b == nil || b.Profile == nil {
			return
		}
		prof := b.Profile
		at := inBundle(p, b, path.Join(b.Content, bundle.ProfileName))
		switch {
		case len(prof.ProvisionedDevices) > 0:
			p.Report(analyzer.Finding{Path: at, Message: fmt.Sprintf("profile %q lists %d ProvisionedDevices: it is a development profile", prof.Name, len(prof.ProvisionedDevices))})
		case prof.Allows(getTaskAllowKey, true):
			p.Report(analyzer.Finding{Path: at, Message: fmt.Sprintf("profile %q allows get-task-allow: it is a development profile", prof.Name)})
		}
	},
}

// AppIDTeamMismatch reports application and team identifier entitlements
// that do not name the signing team.
var AppIDTeamMismatch = &analyzer.Rule{
	ID:       "NL3007",
	Name:     "app-id-team-mismatch",
	Severity: analyzer.Error,
	Kinds:    machOKinds,
	Doc: analyzer.Doc{
		Title: "application identifier does not start with the signing team",
		Why: "com.apple.application-identifier must be <TeamID>.<bundle id> and com.apple.developer.team-identifier " +
			"the TeamID, where TeamID is the team of the signing certificate. Entitlements copied from another team's " +
			"project, or a team-prefix typo, make the notary service reject the entitlements and the app fail at " +
			"launch.",
		AppleMessages: []string{"The executable requests the com.apple.application-identifier entitlement with an invalid value."},
		NotaryMessage: "The executable requests the com.apple.application-identifier entitlement with an invalid value.",
		Fix:           "Use your own team ID in the entitlements (`<TeamID>.<bundle id>`), matching the Developer ID certificate, and re-sign.",
		Sources:       []string{"Apple TN3125 (The who/what/where/when/how)", "rules catalogue section J"},
	},
	Check: func(p *analyzer.Pass) {
		for _, s := range signedSlices(p) {
			team := sliceTeam(s)
			if team == "" {
				continue
			}
			for _, e := range []codesign.Entitlements{s.Entitlements, s.EntitlementsDER} {
				if id, ok := e["com.apple.application-identifier"].(string); ok {
					if prefix, _, _ := strings.Cut(id, "."); prefix != team {
						p.Report(analyzer.Finding{Arch: s.Arch, Key: "app-id", Message: fmt.Sprintf("com.apple.application-identifier is %q, but the signing team is %s", id, team)})
					}
				}
				if id, ok := e["com.apple.developer.team-identifier"].(string); ok && id != team {
					p.Report(analyzer.Finding{Arch: s.Arch, Key: "team-id", Message: fmt.Sprintf("com.apple.developer.team-identifier is %q, but the signing team is %s", id, team)})
				}
			}
		}
	},
}

// sliceTeam is the signing team of a slice: its certificate's OU, else its
// CodeDirectory team ID.
func sliceTeam(s *analyzer.SliceFacts) string {
	if s.CMS != nil {
		if leaf := s.CMS.Leaf(); leaf != nil && codesign.TeamID(leaf) != "" {
			return codesign.TeamID(leaf)
		}
	}
	if cd := s.Signature.Primary(); cd != nil {
		return cd.TeamID
	}
	return ""
}

func mainTeam(b *analyzer.BundleFacts) string {
	if b.Main == nil {
		return ""
	}
	for _, s := range b.Main.Slices {
		if s.Signature != nil {
			if t := sliceTeam(s); t != "" {
				return t
			}
		}
	}
	return ""
}

func mainLeaf(b *analyzer.BundleFacts) *x509.Certificate {
	if b.Main == nil {
		return nil
	}
	for _, s := range b.Main.Slices {
		if s.CMS != nil && s.CMS.Leaf() != nil {
			return s.CMS.Leaf()
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
