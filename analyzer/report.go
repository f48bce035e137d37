package analyzer

// Report is the result of one run: every finding over every input, and the
// rules that ran. All output formats render the same Report.
type Report struct {
	Tool     string    `json:"tool"`
	Version  string    `json:"version"`
	Inputs   []string  `json:"inputs"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`

	// Rules are the rules that were enabled, for output formats that
	// describe them (SARIF).
	Rules []*Rule `json:"-"`
	// Items are the items read, in path order, for output formats that
	// show each input as a tree (HTML).
	Items []ItemSummary `json:"-"`
}

// ItemSummary describes one item of an input's tree.
type ItemSummary struct {
	// Path is the item's path, as findings give it; its parent is the
	// item whose path is the longest '/'-prefix of it.
	Path string
	// Kind is what the item is: "directory", "mach-o", "bundle",
	// "archive", "package" or "disk-image".
	Kind string
	Size int64
	// Archs are a Mach-O file's architecture slices, in header order.
	Archs []string
}

// Summary counts findings by severity and what was read.
type Summary struct {
	Error   int   `json:"error"`
	Warning int   `json:"warning"`
	Info    int   `json:"info"`
	Items   int   `json:"items"`
	Bytes   int64 `json:"bytes"`
	// Ignored and Baselined count the findings the configuration's ignore
	// entries and the baseline left out.
	Ignored   int `json:"ignored,omitempty"`
	Baselined int `json:"baselined,omitempty"`
}

// Count returns the number of findings at or above severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

// Rule returns the rule with the given ID, or nil.
func (r *Report) Rule(id string) *Rule {
	for _, x := range r.Rules {
		if x.ID == id {
			return x
		}
	}
	return nil
}
