package cli

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/macho"
)

func newInspect(stdout, stderr io.Writer) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [--format text|json] PATH...",
		Short: "Show the facts notarylint reads: archs, SDKs, signatures, cdhashes, team IDs, entitlements",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("--format must be text or json, not %q", format)
			}
			found, errs := analyzer.Inspect(analyzer.Config{}, args)
			for _, e := range errs {
				fmt.Fprintf(stderr, "notarylint: %v\n", e)
			}
			items := make([]inspectItem, 0, len(found))
			for _, f := range found {
				items = append(items, describeItem(f))
			}
			var err error
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				err = enc.Encode(items)
			} else {
				err = inspectText(stdout, items)
			}
			if err != nil {
				return err
			}
			if len(errs) > 0 {
				return &exitError{code: ExitInput, err: errSilent}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

type inspectItem struct {
	Path      string         `json:"path"`
	Kind      string         `json:"kind"`
	Depth     int            `json:"depth"`
	Bundle    *inspectBundle `json:"bundle,omitempty"`
	Package   *inspectPkg    `json:"package,omitempty"`
	DiskImage *inspectDMG    `json:"disk_image,omitempty"`
	Size      int64          `json:"size"`
	Universal bool           `json:"universal"`
	Error     string         `json:"error,omitempty"`
	Slices    []inspectSlice `json:"slices"`
}

type inspectSlice struct {
	Arch          string           `json:"arch"`
	FileType      string           `json:"file_type"`
	Offset        int64            `json:"offset"`
	Size          int64            `json:"size"`
	Error         string           `json:"error,omitempty"`
	BuildVersions []inspectVersion `json:"build_versions,omitempty"`
	VersionMins   []inspectVersion `json:"version_mins,omitempty"`
	Signature     *inspectSig      `json:"signature"`
}

type inspectVersion struct {
	Command  string `json:"command"`
	Platform string `json:"platform"`
	MinOS    string `json:"minos"`
	SDK      string `json:"sdk"`
}

type inspectSig struct {
	Kind            string                `json:"kind"` // "cms", "ad-hoc" or "unreadable"
	Error           string                `json:"error,omitempty"`
	CodeDirectories []inspectCD           `json:"code_directories"`
	Entitlements    codesign.Entitlements `json:"entitlements,omitempty"`
	EntitlementsDER codesign.Entitlements `json:"entitlements_der,omitempty"`
	Certificates    []string              `json:"certificates,omitempty"`
	Timestamp       bool                  `json:"timestamp"`
	Blobs           []string              `json:"blobs"`
	// Verification is the verdict of signature verification.
	Verification *inspectVerification `json:"verification,omitempty"`
}

// inspectVerification is the verdict of signature verification.
type inspectVerification struct {
	Pages         string `json:"pages"`         // "ok" or what differs
	SpecialSlots  string `json:"special_slots"` // "ok" or what differs
	CMS           string `json:"cms,omitempty"` // "ok" or the problem
	LeafKind      string `json:"leaf_kind,omitempty"`
	LeafTeamID    string `json:"leaf_team_id,omitempty"`
	Chain         string `json:"chain,omitempty"` // "ok: A > B > C at T" or the problem
	TimestampTime string `json:"timestamp_time,omitempty"`
	TimestampTSA  string `json:"timestamp_tsa,omitempty"`
	Timestamp     string `json:"timestamp_verdict,omitempty"`
}

type inspectCD struct {
	Slot       string `json:"slot"`
	Version    string `json:"version"`
	Flags      string `json:"flags"`
	HashType   string `json:"hash_type"`
	PageSize   int    `json:"page_size"`
	CodeLimit  uint64 `json:"code_limit"`
	Identifier string `json:"identifier"`
	TeamID     string `json:"team_id,omitempty"`
	Runtime    string `json:"runtime,omitempty"`
	CDHash     string `json:"cdhash"`
}

// inspectBundle describes a bundle item.
type inspectBundle struct {
	Identifier  string `json:"identifier,omitempty"`
	Executable  string `json:"executable,omitempty"`
	InfoError   string `json:"info_error,omitempty"`
	Sealed      bool   `json:"sealed"`
	SealFiles   int    `json:"seal_files2"`
	SealVerdict string `json:"seal_verdict"`
	Stapled     bool   `json:"stapled"`
}

func describeBundle(b *analyzer.BundleFacts) *inspectBundle {
	out := &inspectBundle{Identifier: b.Identifier(), Executable: b.Rel(b.Executable), Sealed: b.Seal != nil, Stapled: b.Stapled, SealVerdict: "ok"}
	if b.InfoErr != nil {
		out.InfoError = b.InfoErr.Error()
	}
	if b.Seal != nil {
		out.SealFiles = len(b.Seal.Files2)
	}
	switch {
	case b.SealErr != nil:
		out.SealVerdict = b.SealErr.Error()
	case b.VerifyErr != nil:
		out.SealVerdict = b.VerifyErr.Error()
	case len(b.SealProblems) > 0:
		out.SealVerdict = fmt.Sprintf("%d differences (first: %s %s)", len(b.SealProblems), b.SealProblems[0].Kind, b.SealProblems[0].Path)
	}
	return out
}

func describeItem(f analyzer.Inspected) inspectItem {
	it := inspectItem{Path: f.Item.Path, Kind: f.Item.Kind.String(), Size: f.Item.Size, Slices: []inspectSlice{}}
	for p := f.Item.Parent; p != nil; p = p.Parent {
		it.Depth++
	}
	if f.Bundle != nil {
		it.Bundle = describeBundle(f.Bundle)
		return it
	}
	if f.Package != nil {
		it.Package = describePackage(f.Package)
		return it
	}
	if f.DiskImage != nil {
		it.DiskImage = describeDiskImage(f.DiskImage)
		return it
	}
	m := f.MachO
	if m.Err != nil {
		it.Error = m.Err.Error()
		return it
	}
	it.Universal = m.File.Fat != nil
	for _, s := range m.Slices {
		it.Slices = append(it.Slices, describeSlice(s))
	}
	return it
}

func describeSlice(s *analyzer.SliceFacts) inspectSlice {
	out := inspectSlice{Arch: s.Arch, FileType: s.FileTypeName(), Offset: s.Offset, Size: s.Size}
	if s.Err != nil {
		out.Error = s.Err.Error()
		return out
	}
	for _, b := range s.BuildVersions {
		out.BuildVersions = append(out.BuildVersions, inspectVersion{Command: "LC_BUILD_VERSION", Platform: b.Platform.String(), MinOS: b.MinOS.String(), SDK: b.SDK.String()})
	}
	for _, v := range s.VersionMins {
		out.VersionMins = append(out.VersionMins, inspectVersion{Command: v.CommandName(), MinOS: v.Version.String(), SDK: v.SDK.String()})
	}
	if !s.Signed() {
		return out
	}
	out.Signature = describeSignature(s)
	return out
}

// describeSignature describes a slice's signature facts.
func describeSignature(s *analyzer.SliceFacts) *inspectSig {
	sig := &inspectSig{Kind: "cms", CodeDirectories: []inspectCD{}, Blobs: []string{}}
	if s.SignatureErr != nil {
		sig.Kind, sig.Error = "unreadable", s.SignatureErr.Error()
		return sig
	}
	if s.Signature.IsAdhoc() {
		sig.Kind = "ad-hoc"
	}
	for _, e := range s.Signature.Index {
		sig.Blobs = append(sig.Blobs, fmt.Sprintf("slot %#x magic %#x length %d", e.Type, e.Magic, e.Length))
	}
	for _, cd := range s.Signature.CodeDirectories {
		c := inspectCD{
			Slot: fmt.Sprintf("%#x", cd.Slot), Version: fmt.Sprintf("%#x", cd.Version), Flags: codesign.FlagString(cd.Flags),
			HashType: cd.HashName(), PageSize: cd.PageSize(), CodeLimit: cd.CodeLimit, Identifier: cd.Identifier,
			TeamID: cd.TeamID, CDHash: hex.EncodeToString(cd.CDHash()),
		}
		if cd.Version >= codesign.CDVersionRuntime {
			c.Runtime = macho.Version(cd.Runtime).String()
		}
		sig.CodeDirectories = append(sig.CodeDirectories, c)
	}
	sig.Entitlements, sig.EntitlementsDER = s.Entitlements, s.EntitlementsDER
	if s.CMSErr != nil {
		sig.Error = s.CMSErr.Error()
	}
	sig.Verification = describeVerification(s)
	if s.CMS != nil {
		for _, c := range s.CMS.Certificates {
			sig.Certificates = append(sig.Certificates, c.Subject.CommonName)
		}
		sig.Timestamp = len(s.CMS.Signers) > 0 && s.CMS.Signers[0].HasTimestamp()
	}
	return sig
}

// inspectText writes the items as a tree: each item indented below the
// bundle that holds it.
func inspectText(w io.Writer, items []inspectItem) error {
	var out strings.Builder
	for _, it := range items {
		var b strings.Builder
		writeItemText(&b, it)
		indent := strings.Repeat("  ", max(0, it.Depth-1))
		for _, line := range strings.SplitAfter(b.String(), "\n") {
			if line != "" {
				out.WriteString(indent + line)
			}
		}
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func writeItemText(b *strings.Builder, it inspectItem) {
	if p := it.Package; p != nil {
		writePackageText(b, it.Path, p)
		return
	}
	if d := it.DiskImage; d != nil {
		writeDiskImageText(b, it.Path, it.Size, d)
		return
	}
	if bd := it.Bundle; bd != nil {
		fmt.Fprintf(b, "%s (bundle %s, executable %s, stapled %v)\n", it.Path, bd.Identifier, bd.Executable, bd.Stapled)
		if bd.InfoError != "" {
			fmt.Fprintf(b, "  Info.plist: %s\n", bd.InfoError)
		}
		if bd.Sealed {
			fmt.Fprintf(b, "  seal: %d files2 entries, %s\n", bd.SealFiles, bd.SealVerdict)
		} else {
			b.WriteString("  seal: none\n")
		}
		return
	}
	fmt.Fprintf(b, "%s (%s, %d bytes", it.Path, it.Kind, it.Size)
	if it.Universal {
		b.WriteString(", universal")
	}
	b.WriteString(")\n")
	if it.Error != "" {
		fmt.Fprintf(b, "  error: %s\n", it.Error)
	}
	for _, s := range it.Slices {
		fmt.Fprintf(b, "  %s  %s  offset %#x size %#x\n", s.Arch, s.FileType, s.Offset, s.Size)
		if s.Error != "" {
			fmt.Fprintf(b, "    error: %s\n", s.Error)
			continue
		}
		for _, v := range append(s.BuildVersions, s.VersionMins...) {
			platform := ""
			if v.Platform != "" {
				platform = " platform " + v.Platform
			}
			fmt.Fprintf(b, "    %s%s minos %s sdk %s\n", v.Command, platform, v.MinOS, v.SDK)
		}
		writeSigText(b, s.Signature)
	}
}

func writeSigText(b *strings.Builder, sig *inspectSig) {
	if sig == nil {
		b.WriteString("    signature: none\n")
		return
	}
	fmt.Fprintf(b, "    signature: %s", sig.Kind)
	if sig.Kind == "cms" {
		fmt.Fprintf(b, ", timestamp %v", sig.Timestamp)
	}
	b.WriteString("\n")
	if sig.Error != "" {
		fmt.Fprintf(b, "      error: %s\n", sig.Error)
	}
	for _, cd := range sig.CodeDirectories {
		fmt.Fprintf(b, "      CodeDirectory slot %s v%s %s flags=%s identifier=%s", cd.Slot, cd.Version, cd.HashType, cd.Flags, cd.Identifier)
		if cd.TeamID != "" {
			fmt.Fprintf(b, " team=%s", cd.TeamID)
		}
		if cd.Runtime != "" {
			fmt.Fprintf(b, " runtime=%s", cd.Runtime)
		}
		fmt.Fprintf(b, "\n        cdhash %s\n", cd.CDHash)
	}
	for _, c := range sig.Certificates {
		fmt.Fprintf(b, "      certificate: %s\n", c)
	}
	if v := sig.Verification; v != nil {
		fmt.Fprintf(b, "      pages: %s; special slots: %s\n", v.Pages, v.SpecialSlots)
		if v.CMS != "" {
			fmt.Fprintf(b, "      CMS: %s\n", v.CMS)
		}
		if v.LeafKind != "" {
			fmt.Fprintf(b, "      leaf: %s, team %s\n      chain: %s\n", v.LeafKind, v.LeafTeamID, v.Chain)
		}
		if v.TimestampTime != "" {
			fmt.Fprintf(b, "      timestamp: %s by %s: %s\n", v.TimestampTime, v.TimestampTSA, v.Timestamp)
		}
	}
	for _, e := range []struct {
		name string
		ents codesign.Entitlements
	}{{"entitlements", sig.Entitlements}, {"entitlements (DER)", sig.EntitlementsDER}} {
		if len(e.ents) == 0 {
			continue
		}
		keys := make([]string, 0, len(e.ents))
		for k := range e.ents {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintf(b, "      %s:\n", e.name)
		for _, k := range keys {
			fmt.Fprintf(b, "        %s = %v\n", k, e.ents[k])
		}
	}
}

func verdict(err error) string {
	if err != nil {
		return err.Error()
	}
	return "ok"
}

func describeVerification(s *analyzer.SliceFacts) *inspectVerification {
	v := &inspectVerification{Pages: verdict(s.PagesErr), SpecialSlots: "ok"}
	for _, m := range s.Pages {
		if m != nil {
			v.Pages = fmt.Sprintf("page %d (offset %#x) differs in CodeDirectory slot %#x", m.Page, s.Offset+m.Offset, m.CD.Slot)
			break
		}
	}
	if len(s.Slots) > 0 {
		var bad []string
		for _, m := range s.Slots {
			bad = append(bad, fmt.Sprintf("-%d in CodeDirectory slot %#x", m.Slot, m.CD.Slot))
		}
		v.SpecialSlots = "differ: " + strings.Join(bad, ", ")
	}
	r := s.Verified
	if r == nil {
		return v
	}
	if r.Err != nil {
		v.CMS = r.Err.Error()
		return v
	}
	v.CMS = "ok"
	if e := errors.Join(r.SignatureErr, r.CDHashesErr); e != nil {
		v.CMS = e.Error()
	}
	if r.Leaf != nil {
		v.LeafKind, v.LeafTeamID = r.LeafKind.String(), codesign.TeamID(r.Leaf)
		v.Chain = verdict(r.Chain.Err)
		if r.Chain.Err == nil {
			var names []string
			for _, c := range r.Chain.Chain {
				names = append(names, c.Subject.CommonName)
			}
			v.Chain = "ok: " + strings.Join(names, " > ") + " at " + r.Chain.At.UTC().Format(time.RFC3339)
		}
	}
	if ts := r.Timestamp; ts != nil {
		v.TimestampTime = ts.GenTime.UTC().Format(time.RFC3339)
		if ts.Signer != nil {
			v.TimestampTSA = ts.Signer.Subject.CommonName
		}
		v.Timestamp = verdict(errors.Join(ts.Err, ts.Chain.Err))
	}
	return v
}
