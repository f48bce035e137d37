package analyzer

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Ignore is one configured suppression: findings of Rule whose path
// matches Path (and arch, Arch) are not reported, until Expires.
type Ignore struct {
	// Rule is the rule's ID.
	Rule string
	// Path is a glob over finding paths ('/'-separated, starting with the
	// input's base name): path.Match syntax per segment, and "**" for any
	// number of segments. Empty matches every path.
	Path string
	// Arch, when set, limits the entry to that architecture's findings.
	Arch string
	// Reason says why the findings are accepted.
	Reason string
	// Expires, when not zero, is the day from which the entry no longer
	// applies (and is itself reported).
	Expires time.Time
	// Source is where the entry was written ("file:line").
	Source string
}

// CheckGlob reports whether pattern is a valid Ignore.Path glob.
func CheckGlob(pattern string) error {
	for _, seg := range strings.Split(pattern, "/") {
		if seg == "**" {
			continue
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Errorf("bad pattern segment %q: %w", seg, err)
		}
	}
	return nil
}

// MatchGlob reports whether name matches the Ignore.Path glob pattern.
func MatchGlob(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for pat = pat[1:]; len(pat) > 0 && pat[0] == "**"; pat = pat[1:] {
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if matchSegments(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// matches reports whether the entry covers the finding.
func (ig *Ignore) matches(f *Finding) bool {
	return ig.Rule == f.RuleID && (ig.Arch == "" || ig.Arch == f.Arch) && (ig.Path == "" || MatchGlob(ig.Path, f.Path))
}

// expired reports whether the entry no longer applies at now.
func (ig *Ignore) expired(now time.Time) bool {
	return !ig.Expires.IsZero() && !now.Before(ig.Expires)
}

// IgnoreExpired is reported by the engine, not by a check of its own: for
// an ignore entry of the configuration whose expiry date has passed.
var IgnoreExpired = &Rule{
	ID:       "NL9004",
	Name:     "ignore-expired",
	Severity: Warning,
	Kinds:    []Kind{KindDirectory, KindMachO, KindBundle, KindArchive, KindPackage, KindDiskImage},
	Doc: Doc{
		Title: "an ignore entry of the configuration has expired",
		Why: "An ignore entry of .notarylint.yaml may carry an expires date: the day the accepted findings are due " +
			"to be fixed. From that day the entry no longer hides them, and this finding points at the entry.",
		Fix: "Fix the findings the entry covered and delete it, or, if they are still accepted, move its expires date and say why in its reason.",
	},
	Check: func(*Pass) {}, // findings come from the engine (suppress)
}

// suppress removes the findings that an unexpired ignore entry or the
// baseline covers, and returns the rest, findings for expired entries, and
// how many were removed by each.
func suppress(cfg *Config, found []Finding) (kept []Finding, ignored, baselined int) {
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	var active []*Ignore
	for i := range cfg.Ignore {
		ig := &cfg.Ignore[i]
		if !ig.expired(now) {
			active = append(active, ig)
			continue
		}
		if !ruleEnabled(cfg, IgnoreExpired) {
			continue
		}
		file, line, _ := strings.Cut(ig.Source, ":")
		f := Finding{RuleID: IgnoreExpired.ID, RuleName: IgnoreExpired.Name, Severity: IgnoreExpired.Severity, Path: file, Input: file, Key: line,
			Fix: IgnoreExpired.Doc.Fix,
			Message: fmt.Sprintf("the ignore entry at %s for %s%s expired on %s: its findings are reported again (its reason: %s)",
				ig.Source, ig.Rule, pathClause(ig.Path), ig.Expires.Format(time.DateOnly), ig.Reason)}
		f.Fingerprint = fingerprint(&f)
		kept = append(kept, f)
	}
	for _, f := range found {
		switch {
		case cfg.Baseline[f.Fingerprint]:
			baselined++
		case covered(active, &f):
			ignored++
		default:
			kept = append(kept, f)
		}
	}
	return kept, ignored, baselined
}

func covered(active []*Ignore, f *Finding) bool {
	for _, ig := range active {
		if ig.matches(f) {
			return true
		}
	}
	return false
}

func pathClause(p string) string {
	if p == "" {
		return ""
	}
	return " at " + p
}

func ruleEnabled(cfg *Config, r *Rule) bool {
	for _, x := range cfg.Rules {
		if x == r {
			return true
		}
	}
	return false
}
