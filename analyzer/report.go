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
}

// Summary counts findings by severity and what was read.
type Summary struct {
	Error   int   `json:"error"`
	Warning int   `json:"warning"`
	Info    int   `json:"info"`
	Items   int   `json:"items"`
	Bytes   int64 `json:"bytes"`
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
