package bundle

import (
	"errors"
	"fmt"
	"regexp"
	"sort"

	"howett.net/plist"
)

// Seal is a parsed _CodeSignature/CodeResources: the resource rules and the
// sealed files, in the v1 (files, rules) and v2 (files2, rules2) forms.
type Seal struct {
	Files  map[string]SealEntry
	Files2 map[string]SealEntry
	Rules  []*Rule
	Rules2 []*Rule
}

// HasV2 reports whether the seal has the version 2 envelope codesign has
// written since macOS 10.9; without it the signature is obsolete.
func (s *Seal) HasV2() bool { return s.Files2 != nil && s.Rules2 != nil }

// SealEntry is one sealed path.
type SealEntry struct {
	Hash     []byte // SHA-1 of the file (files, and files2's hash)
	Hash2    []byte // SHA-256 of the file (files2)
	Optional bool
	// Symlink is the sealed link target, for a symbolic link.
	Symlink *string
	// CDHash and Requirement seal nested code.
	CDHash      []byte
	Requirement string
}

// IsNested reports whether the entry seals nested code.
func (e SealEntry) IsNested() bool { return e.CDHash != nil || e.Requirement != "" }

// Rule is a resource rule: a regular expression over paths relative to the
// content directory and what it does to the paths it matches.
type Rule struct {
	Pattern  string
	Omit     bool
	Optional bool
	Nested   bool
	Weight   float64
	re       *regexp.Regexp
}

// Match reports whether the rule matches a path.
func (r *Rule) Match(p string) bool { return r.re.MatchString(p) }

type rawSeal struct {
	Files  map[string]any `plist:"files"`
	Files2 map[string]any `plist:"files2"`
	Rules  map[string]any `plist:"rules"`
	Rules2 map[string]any `plist:"rules2"`
}

// ParseSeal parses a CodeResources property list: the XML subset codesign
// writes with a fast reader, anything else (binary plists, unusual XML) with
// the general decoder.
func ParseSeal(b []byte) (*Seal, error) {
	if s, err := parseSealXML(b); err == nil {
		return s, nil
	} else if !errors.Is(err, errNotSimple) {
		return nil, err
	}
	return parseSealGeneral(b)
}

// parseSealGeneral parses a CodeResources with howett.net/plist.
func parseSealGeneral(b []byte) (*Seal, error) {
	var raw rawSeal
	if _, err := plist.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not a CodeResources property list: %w", err)
	}
	s := &Seal{}
	var err error
	if s.Files, err = parseEntries(raw.Files, "files"); err != nil {
		return nil, err
	}
	if s.Files2, err = parseEntries(raw.Files2, "files2"); err != nil {
		return nil, err
	}
	if s.Rules, err = parseRules(raw.Rules, "rules"); err != nil {
		return nil, err
	}
	if s.Rules2, err = parseRules(raw.Rules2, "rules2"); err != nil {
		return nil, err
	}
	return s, nil
}

func parseEntries(m map[string]any, section string) (map[string]SealEntry, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]SealEntry, len(m))
	for k, v := range m {
		var e SealEntry
		switch t := v.(type) {
		case []byte:
			e.Hash = t
		case map[string]any:
			e.Hash, _ = t["hash"].([]byte)
			e.Hash2, _ = t["hash2"].([]byte)
			e.Optional, _ = t["optional"].(bool)
			e.CDHash, _ = t["cdhash"].([]byte)
			e.Requirement, _ = t["requirement"].(string)
			if l, ok := t["symlink"].(string); ok {
				e.Symlink = &l
			}
		default:
			return nil, fmt.Errorf("%s entry %q is a %T, not data or a dictionary", section, k, v)
		}
		out[k] = e
	}
	return out, nil
}

func parseRules(m map[string]any, section string) ([]*Rule, error) {
	if m == nil {
		return nil, nil
	}
	var out []*Rule
	for pattern, v := range m {
		r := &Rule{Pattern: pattern, Weight: 1}
		switch t := v.(type) {
		case bool:
			if !t {
				r.Omit = true
			}
		case map[string]any:
			r.Omit, _ = t["omit"].(bool)
			r.Optional, _ = t["optional"].(bool)
			r.Nested, _ = t["nested"].(bool)
			switch w := t["weight"].(type) {
			case uint64:
				r.Weight = float64(w)
			case int64:
				r.Weight = float64(w)
			case float64:
				r.Weight = w
			}
		default:
			return nil, fmt.Errorf("%s rule %q is a %T, not a boolean or a dictionary", section, pattern, v)
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, fmt.Errorf("%s rule %q: %w", section, pattern, err)
		}
		r.re = re
		out = append(out, r)
	}
	// Highest weight first; among equals, the longer (more specific)
	// pattern, then the pattern text, so the choice is deterministic.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Weight != out[j].Weight {
			return out[i].Weight > out[j].Weight
		}
		if len(out[i].Pattern) != len(out[j].Pattern) {
			return len(out[i].Pattern) > len(out[j].Pattern)
		}
		return out[i].Pattern < out[j].Pattern
	})
	return out, nil
}

// RuleFor returns the rule that governs a path: the matching rule of
// highest weight, or nil when none matches (the path is then not sealed).
func RuleFor(rules []*Rule, p string) *Rule {
	for _, r := range rules {
		if r.Match(p) {
			return r
		}
	}
	return nil
}
