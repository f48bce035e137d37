package notarylog

import (
	"regexp"
	"sort"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// Matcher finds the rules an issue's message belongs to, from the messages
// the rules document (Doc.NotaryMessage first, then Doc.AppleMessages).
type Matcher struct {
	patterns []pattern
}

type pattern struct {
	re      *regexp.Regexp
	rule    *analyzer.Rule
	primary bool // the rule's NotaryMessage
}

// placeholder matches the stand-ins documented messages use for names that
// vary: X.pkg, X.dmg, X.app, X, NAME, TEAMID, (N).
var placeholder = regexp.MustCompile(`\\\(N\\\)|\bX(\\\.(pkg|dmg|app|zip))?\b|\bNAME\b|\bTEAMID\b`)

// NewMatcher builds a matcher over rules.
func NewMatcher(rules []*analyzer.Rule) *Matcher {
	m := &Matcher{}
	add := func(r *analyzer.Rule, msg string, primary bool) {
		msg = normalize(msg)
		if len(msg) < 12 {
			return // too short to identify anything ("Status: …" fragments)
		}
		expr := placeholder.ReplaceAllString(regexp.QuoteMeta(msg), `.+?`)
		m.patterns = append(m.patterns, pattern{regexp.MustCompile(`^(?i)` + expr + `$`), r, primary})
	}
	for _, r := range rules {
		if r.Doc.NotaryMessage != "" {
			add(r, r.Doc.NotaryMessage, true)
		}
		for _, msg := range r.Doc.AppleMessages {
			add(r, msg, false)
		}
	}
	return m
}

// normalize trims a message and its final period and collapses spaces.
func normalize(s string) string {
	return strings.TrimSuffix(strings.Join(strings.Fields(s), " "), ".")
}

// Match returns the rules whose documented message the message is,
// those documenting it as their notary message first, each once, by ID.
// For a path inside a flat package or naming one, package rules come first.
func (m *Matcher) Match(message string) []*analyzer.Rule {
	msg := normalize(message)
	var primary, other []*analyzer.Rule
	seen := map[*analyzer.Rule]bool{}
	for _, p := range m.patterns {
		if seen[p.rule] || !p.re.MatchString(msg) {
			continue
		}
		seen[p.rule] = true
		if p.primary {
			primary = append(primary, p.rule)
		} else {
			other = append(other, p.rule)
		}
	}
	byID := func(rs []*analyzer.Rule) {
		sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	}
	byID(primary)
	byID(other)
	if len(primary) > 0 {
		return primary
	}
	return other
}
