package analyzer

import "fmt"

// Pass is what a rule sees of one item: its identity and its facts. Rules
// never touch the file system; they read facts through the Pass and report
// findings to it.
type Pass struct {
	Item *Item
	Rule *Rule

	facts    *itemFacts
	findings []Finding
}

// itemFacts caches what was parsed from an item, shared by every rule.
type itemFacts struct {
	cfg         *Config
	inputSHA256 string
	macho       *MachOFacts
	bundle      *BundleFacts
}

// Bundle returns the item's bundle facts, or nil when the item is not a
// bundle.
func (p *Pass) Bundle() *BundleFacts { return p.facts.bundle }

// Archive returns the item's archive facts, or nil when the item is not an
// archive.
func (p *Pass) Archive() *ArchiveFacts { return p.Item.archive }

// Notarized returns the notary log's ticket entries for the item: those
// whose path is the item's, or the item's below the log's container (the
// log names "App.zip/App.app/…" where the input is "App.app"). nil when no
// log was given or it does not list the item.
func (p *Pass) Notarized() []NotarizedItem {
	var out []NotarizedItem
	for _, n := range p.facts.cfg.Notarized {
		if LogPathMatches(p.Item.Path, n.Path) {
			out = append(out, n)
		}
	}
	return out
}

// TeamID returns the team ID the run expects (--team-id), or "".
func (p *Pass) TeamID() string { return p.facts.cfg.TeamID }

// MachO returns the item's Mach-O facts, or nil when the item is not a
// Mach-O file.
func (p *Pass) MachO() *MachOFacts { return p.facts.macho }

// Report records a finding. Empty rule, severity, path, input, notary message,
// doc URL and fix fields are filled from the rule and the item.
func (p *Pass) Report(f Finding) {
	r := p.Rule
	f.RuleID, f.RuleName = r.ID, r.Name
	f.Severity = r.Severity
	if f.Path == "" {
		f.Path = p.Item.Path
	}
	f.Input = p.Item.Input
	if f.NotaryMessage == "" {
		f.NotaryMessage = r.Doc.NotaryMessage
	}
	if f.DocURL == "" {
		f.DocURL = r.Doc.DocURL
	}
	if f.Fix == "" {
		f.Fix = r.Doc.Fix
	}
	f.Fingerprint = fingerprint(&f)
	p.findings = append(p.findings, f)
}

// ReportInfo records a finding at info severity, whatever the rule's: for
// a rule whose finding is harmless in some cases (said in its doc).
func (p *Pass) ReportInfo(f Finding) {
	p.Report(f)
	last := &p.findings[len(p.findings)-1]
	last.Severity = Info
	last.Fingerprint = fingerprint(last)
}

// InputSHA256 returns the SHA-256 (hex) of the input file the item is, when
// a notary log was given whose upload has the input's name; "" otherwise.
func (p *Pass) InputSHA256() (got, want string) {
	return p.facts.inputSHA256, p.facts.cfg.NotarizedSHA256
}

// Reportf records a finding for an architecture slice ("" when the finding
// is not per slice) with a formatted message.
func (p *Pass) Reportf(arch, format string, args ...any) {
	p.Report(Finding{Arch: arch, Message: fmt.Sprintf(format, args...)})
}
