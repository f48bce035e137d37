package cli

import (
	"fmt"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// inspectPkg describes a flat package item.
type inspectPkg struct {
	Error       string `json:"error,omitempty"`
	Product     bool   `json:"product"`
	TOCChecksum string `json:"toc_checksum,omitempty"` // "sha1:hex"
	// TicketKey is the notary's record name for the package's ticket.
	TicketKey  string             `json:"ticket_key,omitempty"`
	Stapled    bool               `json:"stapled"`
	Signature  string             `json:"signature"` // "none", "RSA", "CMS", "RSA+CMS"
	Signer     string             `json:"signer,omitempty"`
	LeafKind   string             `json:"leaf_kind,omitempty"`
	Chain      string             `json:"chain,omitempty"`
	Timestamp  string             `json:"timestamp,omitempty"`
	Components []inspectComponent `json:"components"`
}

type inspectComponent struct {
	Name       string `json:"name"`
	Identifier string `json:"identifier,omitempty"`
	Version    string `json:"version,omitempty"`
	Payload    string `json:"payload,omitempty"` // format, or the error
	BomPaths   int    `json:"bom_paths"`
}

func describePackage(f *analyzer.PackageFacts) *inspectPkg {
	out := &inspectPkg{Components: []inspectComponent{}, Signature: "none"}
	if f.Err != nil {
		out.Error = f.Err.Error()
		return out
	}
	p := f.Pkg
	out.Product, out.Stapled, out.TicketKey = p.Product, p.Ticket != nil, f.TicketKey()
	out.TOCChecksum = fmt.Sprintf("%s:%x", p.Xar.ChecksumAlg, p.Xar.TOCChecksum)
	if s := f.Signature; s != nil && s.Signed() {
		var styles []string
		if s.HasRSA {
			styles = append(styles, "RSA")
		}
		if s.HasCMS {
			styles = append(styles, "CMS")
		}
		out.Signature = strings.Join(styles, "+")
		if s.Leaf != nil {
			out.Signer, out.LeafKind = s.Leaf.Subject.CommonName, s.LeafKind.String()
		}
		out.Chain = "ok"
		if s.Chain.Err != nil {
			out.Chain = s.Chain.Err.Error()
		}
		switch {
		case s.Timestamp == nil:
			out.Timestamp = "none"
		case s.Timestamp.Valid():
			out.Timestamp = s.Timestamp.GenTime.UTC().Format("2006-01-02T15:04:05Z")
		default:
			out.Timestamp = "invalid"
		}
	}
	for _, c := range p.Components {
		ic := inspectComponent{Name: c.Name, BomPaths: len(c.BomPaths)}
		if c.PackageInfo != nil {
			ic.Identifier, ic.Version = c.PackageInfo.Identifier, c.PackageInfo.Version
		}
		switch {
		case c.PayloadErr != nil:
			ic.Payload = c.PayloadErr.Error()
		case c.Payload != nil:
			ic.Payload = c.Payload.Format
		}
		out.Components = append(out.Components, ic)
	}
	return out
}

func writePackageText(b *strings.Builder, path string, p *inspectPkg) {
	kind := "component package"
	if p.Product {
		kind = "product archive"
	}
	fmt.Fprintf(b, "%s (%s, signature %s, stapled %v)\n", path, kind, p.Signature, p.Stapled)
	if p.Error != "" {
		fmt.Fprintf(b, "  error: %s\n", p.Error)
		return
	}
	fmt.Fprintf(b, "  TOC checksum %s\n", p.TOCChecksum)
	if p.TicketKey != "" {
		fmt.Fprintf(b, "  ticket record %s\n", p.TicketKey)
	}
	if p.Signer != "" {
		fmt.Fprintf(b, "  signer %q (%s), chain %s, timestamp %s\n", p.Signer, p.LeafKind, p.Chain, p.Timestamp)
	}
	for _, c := range p.Components {
		fmt.Fprintf(b, "  component %s %s %s: payload %s, %d Bom paths\n", c.Name, c.Identifier, c.Version, c.Payload, c.BomPaths)
	}
}
