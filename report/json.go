package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/notarylint/notarylint/analyzer"
)

// JSON writes r as the tool's JSON contract: the Report's own JSON form,
// indented by two spaces, with a trailing newline. Empty inputs and findings
// are written as [] rather than null, and <, > and & are not escaped.
func JSON(w io.Writer, r *analyzer.Report) error {
	if r == nil {
		return fmt.Errorf("report: nil report")
	}
	out := *r
	if out.Inputs == nil {
		out.Inputs = []string{}
	}
	if out.Findings == nil {
		out.Findings = []analyzer.Finding{}
	}
	if err := encodeJSON(w, &out); err != nil {
		return fmt.Errorf("report: writing json: %w", err)
	}
	return nil
}

// encodeJSON writes v indented by two spaces with a trailing newline, without
// HTML escaping.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
