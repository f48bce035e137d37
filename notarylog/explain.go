package notarylog

import (
	"path"
	"strconv"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
)

// Verdict explains a log as a whole: what its status means and what to do.
type Verdict struct {
	// Outcome is "accepted", "invalid", "rejected", "in-progress" or
	// "unknown".
	Outcome string `json:"outcome"`
	// Explanation says what the status means; Next, what to do.
	Explanation string `json:"explanation"`
	Next        string `json:"next,omitempty"`
	// Catalogue names the catalogue id of an account- or service-side
	// outcome ("team-not-configured", "slow-or-stuck", …), when it is one.
	Catalogue string `json:"catalogue,omitempty"`
}

// Explained is one issue of a log with what notarylint knows of it.
type Explained struct {
	Issue
	// Rules are the matching rules, best first; empty when the message is
	// unknown (it is then listed as unknown, never guessed).
	Rules []*analyzer.Rule
	// Note adds what the combination of issues means, when it says more
	// than each issue alone.
	Note string
}

// The two messages a distribution package the service cannot unpack gets.
const (
	noCodePrefix     = "has no signed executables or bundles"
	notExtractedPart = "could not be extracted"
)

// Explain matches every issue of the log to rules and explains the status.
func Explain(l *Log, m *Matcher) (Verdict, []Explained) {
	out := make([]Explained, 0, len(l.Issues))
	unpackFailed := false
	for _, is := range l.Issues {
		if strings.Contains(is.Message, notExtractedPart) {
			unpackFailed = true
		}
	}
	for _, is := range l.Issues {
		e := Explained{Issue: is, Rules: preferByPath(m.Match(is.Message), is)}
		if unpackFailed && (strings.Contains(is.Message, noCodePrefix) || strings.Contains(is.Message, notExtractedPart)) {
			e.Rules = putFirst(e.Rules, "pkg-not-extractable")
			e.Note = "Together, \"" + noCodePrefix + "\" and \"" + notExtractedPart + "\" mean the service could not unpack the " +
				"package, so it found no code: see pkg-not-extractable (most often a pkg-ref in Distribution without its " +
				"leading '#'). Run `notarylint check` on the package to find the exact cause."
		}
		out = append(out, e)
	}
	return verdict(l), out
}

// putFirst moves the rule named name to the front, when it is there.
func putFirst(rules []*analyzer.Rule, name string) []*analyzer.Rule {
	for i, r := range rules {
		if r.Name == name {
			out := append([]*analyzer.Rule{r}, rules[:i]...)
			return append(out, rules[i+1:]...)
		}
	}
	return rules
}

// preferByPath narrows several matching rules to those for the kind of
// item the issue's path names: the package itself, or code.
func preferByPath(rules []*analyzer.Rule, is Issue) []*analyzer.Rule {
	if len(rules) < 2 {
		return rules
	}
	want := analyzer.KindMachO
	if ext := strings.ToLower(path.Ext(is.Path)); (ext == ".pkg" || ext == ".mpkg") && is.Architecture == "" {
		want = analyzer.KindPackage
	}
	var keep []*analyzer.Rule
	for _, r := range rules {
		for _, k := range r.Kinds {
			if k == want {
				keep = append(keep, r)
				break
			}
		}
	}
	if len(keep) == 0 {
		return rules
	}
	return keep
}

// verdict explains the log's status (catalogue section I for account- and
// service-side outcomes).
func verdict(l *Log) Verdict {
	switch {
	case l.StatusCode == 7000 || strings.Contains(l.StatusSummary, "not yet configured for notarization"):
		v, _ := ExplainText("not yet configured for notarization")
		v.Explanation = "The submission was rejected before any check: " + v.Explanation
		return v
	case strings.EqualFold(l.Status, "Rejected"):
		return Verdict{Outcome: "rejected",
			Explanation: "The submission was rejected for account or service reasons, not for its contents (status Rejected, code " + strconv.Itoa(l.StatusCode) + "): " + l.StatusSummary,
			Next:        "Check the team's membership, agreements and notarization access in the developer account."}
	case strings.EqualFold(l.Status, "Invalid"):
		return Verdict{Outcome: "invalid",
			Explanation: "The service checked the upload and found errors; no ticket was issued (\"" + l.StatusSummary + "\"). Note that `notarytool submit --wait` exits 0 even then: check the status.",
			Next:        "Fix every issue below (run `notarylint check` on the upload to find them all at once), then submit again."}
	case strings.EqualFold(l.Status, "Accepted"):
		v := Verdict{Outcome: "accepted", Explanation: "The upload was notarized: a ticket was issued for the code listed in ticketContents."}
		if l.TicketContents == nil {
			v.Explanation = "The upload was accepted, but the log lists no ticketContents: nothing in it was recognised as code to ticket."
		}
		for _, is := range l.Issues {
			if strings.EqualFold(is.Severity, "warning") {
				v.Catalogue = "warnings-accepted"
				v.Next = "Accepted with warnings: treat them as errors; Gatekeeper has rejected such code after the service relaxed its checks."
				return v
			}
		}
		v.Next = "Staple the ticket (`xcrun stapler staple`) to an .app, .pkg or .dmg; a zip or bare Mach-O cannot be stapled. " +
			"If stapling fails with Error 65, run `notarylint check PATH --notary-log LOG.json`."
		return v
	case strings.EqualFold(l.Status, "In Progress"):
		return Verdict{Outcome: "in-progress", Catalogue: "slow-or-stuck",
			Explanation: "The service has not finished. First submissions of a team and very large uploads can take hours.",
			Next:        "Wait and poll with `notarytool info`; fewer files and no data in code locations shorten the check."}
	}
	return Verdict{Outcome: "unknown", Explanation: "Status \"" + l.Status + "\" (" + l.StatusSummary + ") is not one notarylint knows."}
}
