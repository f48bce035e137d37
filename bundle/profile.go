package bundle

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"howett.net/plist"

	"github.com/notarylint/notarylint/codesign"
)

// Profile is a provisioning profile (Contents/embedded.provisionprofile): a
// CMS-signed property list that authorises restricted entitlements.
type Profile struct {
	Name                  string         `plist:"Name"`
	UUID                  string         `plist:"UUID"`
	AppIDName             string         `plist:"AppIDName"`
	TeamIdentifier        []string       `plist:"TeamIdentifier"`
	Platform              []string       `plist:"Platform"`
	Entitlements          map[string]any `plist:"Entitlements"`
	ProvisionsAllDevices  bool           `plist:"ProvisionsAllDevices"`
	ProvisionedDevices    []string       `plist:"ProvisionedDevices"`
	ExpirationDate        time.Time      `plist:"ExpirationDate"`
	DeveloperCertificates [][]byte       `plist:"DeveloperCertificates"`
	// Signer is the certificate that signed the profile's CMS, nil when the
	// CMS does not carry it.
	Signer *x509.Certificate `plist:"-"`
}

// ProfileName is where a macOS bundle embeds its provisioning profile,
// relative to the content directory.
const ProfileName = "embedded.provisionprofile"

// ParseProfile parses a provisioning profile.
func ParseProfile(b []byte) (*Profile, error) {
	sd, err := codesign.ParseSignedData(b)
	if err != nil {
		return nil, fmt.Errorf("provisioning profile: %w", err)
	}
	if sd.EContent == nil {
		return nil, fmt.Errorf("provisioning profile: the CMS carries no content")
	}
	p := &Profile{}
	if _, err := plist.Unmarshal(sd.EContent, p); err != nil {
		return nil, fmt.Errorf("provisioning profile: %w", err)
	}
	p.Signer = sd.Signers[0].SignerCert(sd.Certificates)
	return p, nil
}

// TeamID returns the profile's first team identifier.
func (p *Profile) TeamID() string {
	if len(p.TeamIdentifier) > 0 {
		return p.TeamIdentifier[0]
	}
	return ""
}

// HasCertificate reports whether cert is among DeveloperCertificates.
func (p *Profile) HasCertificate(cert *x509.Certificate) bool {
	for _, der := range p.DeveloperCertificates {
		if string(der) == string(cert.Raw) {
			return true
		}
	}
	return false
}

// Allows reports whether the profile authorises an entitlement value: the
// profile's value must be equal, or a string pattern ending in "*" that
// matches, or for arrays every claimed element must be allowed by an element
// of the profile's array.
func (p *Profile) Allows(key string, claimed any) bool {
	allowed, ok := p.Entitlements[key]
	if !ok {
		return false
	}
	return allowsValue(allowed, claimed)
}

func allowsValue(allowed, claimed any) bool {
	switch a := allowed.(type) {
	case string:
		if c, ok := claimed.(string); ok {
			return a == c || (strings.HasSuffix(a, "*") && strings.HasPrefix(c, strings.TrimSuffix(a, "*")))
		}
		if cs, ok := claimed.([]any); ok {
			for _, c := range cs {
				if !allowsValue(a, c) {
					return false
				}
			}
			return true
		}
	case bool:
		c, ok := claimed.(bool)
		return ok && (c == a || !c)
	case []any:
		cs, ok := claimed.([]any)
		if !ok {
			cs = []any{claimed}
		}
		for _, c := range cs {
			found := false
			for _, x := range a {
				if allowsValue(x, c) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(allowed) == fmt.Sprint(claimed)
}

// IsRestrictedEntitlement reports whether an entitlement must be authorised
// by a provisioning profile on macOS (TN3125): com.apple.developer.*,
// com.apple.application-identifier and keychain-access-groups. The App
// Sandbox and Hardened Runtime keys (com.apple.security.*) are not.
func IsRestrictedEntitlement(key string) bool {
	return strings.HasPrefix(key, "com.apple.developer.") || key == "com.apple.application-identifier" || key == "keychain-access-groups"
}
