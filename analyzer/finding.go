package analyzer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Severity orders findings: Info < Warning < Error.
type Severity int

// Severities, from least to most serious.
const (
	Info Severity = iota
	Warning
	Error
)

var severityNames = [...]string{Info: "info", Warning: "warning", Error: "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if s < Info || s > Error {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity parses "info", "warning" or "error" (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalJSON writes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a severity name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	v, err := ParseSeverity(name)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one problem found in one item (and, for Mach-O, one
// architecture slice). Its JSON form is the tool's output contract: fields are
// only ever added.
type Finding struct {
	RuleID        string   `json:"rule"`
	RuleName      string   `json:"name"`
	Severity      Severity `json:"severity"`
	Path          string   `json:"path"`
	Arch          string   `json:"arch,omitempty"`
	Message       string   `json:"message"`
	NotaryMessage string   `json:"notary_message,omitempty"`
	DocURL        string   `json:"doc_url,omitempty"`
	Fix           string   `json:"fix,omitempty"`
	Fingerprint   string   `json:"fingerprint"`
	// Input is the top-level input as given on the command line; Path
	// starts with its base name.
	Input string `json:"input"`

	// Key distinguishes several findings of one rule on the same path and
	// arch (for example, which load command); it feeds the fingerprint.
	Key string `json:"-"`
}

// fingerprint is stable across runs and machines: it depends only on the rule,
// the item path inside the input, the arch and the rule's key detail.
func fingerprint(f *Finding) string {
	h := sha256.New()
	for _, s := range []string{f.RuleID, f.Path, f.Arch, f.Key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
