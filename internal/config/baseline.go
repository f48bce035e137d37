package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/notarylint/notarylint/analyzer"
)

// BaselineVersion is the format version of baseline files.
const BaselineVersion = 1

// Baseline is a file of accepted findings, matched by fingerprint. The
// other fields are there for people reading the file.
type Baseline struct {
	Tool     string          `json:"tool"`
	Version  int             `json:"baseline_version"`
	Findings []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	Rule        string `json:"rule"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	Arch        string `json:"arch,omitempty"`
	Message     string `json:"message"`
}

// NewBaseline records the findings of a report, sorted by fingerprint so
// that the file changes only when the findings do.
func NewBaseline(r *analyzer.Report) *Baseline {
	b := &Baseline{Tool: "notarylint", Version: BaselineVersion, Findings: []BaselineEntry{}}
	for _, f := range r.Findings {
		b.Findings = append(b.Findings, BaselineEntry{Fingerprint: f.Fingerprint, Rule: f.RuleID, Name: f.RuleName, Path: f.Path, Arch: f.Arch, Message: f.Message})
	}
	sort.SliceStable(b.Findings, func(i, j int) bool { return b.Findings[i].Fingerprint < b.Findings[j].Fingerprint })
	return b
}

// Encode returns the baseline as indented JSON.
func (b *Baseline) Encode() ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	return append(out, '\n'), err
}

// Fingerprints returns the set of accepted fingerprints.
func (b *Baseline) Fingerprints() map[string]bool {
	out := make(map[string]bool, len(b.Findings))
	for _, e := range b.Findings {
		out[e.Fingerprint] = true
	}
	return out
}

// LoadBaseline reads a baseline file; a syntax error, an unknown field or
// a missing fingerprint is an *Error with the line.
func LoadBaseline(path string) (*Baseline, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		return nil, &Error{File: path, Line: jsonErrorLine(raw, err, dec.InputOffset()), Msg: "not a notarylint baseline: " + err.Error()}
	}
	if b.Tool != "notarylint" || b.Version != BaselineVersion {
		return nil, &Error{File: path, Line: 1, Msg: fmt.Sprintf("not a notarylint baseline of version %d (tool %q, version %d)", BaselineVersion, b.Tool, b.Version)}
	}
	for i, e := range b.Findings {
		if len(e.Fingerprint) != 32 {
			return nil, &Error{File: path, Line: lineOfNth(raw, `"fingerprint"`, i), Msg: fmt.Sprintf("finding %d has no fingerprint of 32 hex digits", i+1)}
		}
	}
	return &b, nil
}

// jsonErrorLine finds the line of a JSON decoding error.
func jsonErrorLine(raw []byte, err error, fallback int64) int {
	off := fallback
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	off = min(max(off, 0), int64(len(raw)))
	return bytes.Count(raw[:off], []byte("\n")) + 1
}

// lineOfNth returns the line of the n-th (from 0) occurrence of s, or 0.
func lineOfNth(raw []byte, s string, n int) int {
	at := 0
	for i := 0; ; i++ {
		k := bytes.Index(raw[at:], []byte(s))
		if k < 0 {
			return 0
		}
		if i == n {
			return bytes.Count(raw[:at+k], []byte("\n")) + 1
		}
		at += k + len(s)
	}
}
