package notarylog_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/notarylog"
	"github.com/notarylint/notarylint/rules"
)

func load(t *testing.T, name string) *notarylog.Log {
	t.Helper()
	b, err := os.ReadFile("../testdata/notary-logs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := notarylog.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func names(rs []*analyzer.Rule) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name)
	}
	return strings.Join(out, ",")
}

// TestParseRejectsOtherJSON checks that files that are not notary logs
// fail with ErrNotLog and say why.
func TestParseRejectsOtherJSON(t *testing.T) {
	for _, in := range []string{"", "[1,2]", `{"name": "package.json"}`, "{", `"status"`, `{"status": "Accepted"}`} {
		if _, err := notarylog.Parse([]byte(in)); !errors.Is(err, notarylog.ErrNotLog) {
			t.Errorf("%q: err %v, want ErrNotLog", in, err)
		}
	}
	if _, err := notarylog.Parse([]byte(`{"status": "Invalid", "issues": null, "future": {"x": 1}}`)); err != nil {
		t.Errorf("a minimal log with an unknown field: %v", err)
	}
}

// TestMatch checks that messages find their rules, names substituted
// (X.pkg), and that an unknown message finds none.
func TestMatch(t *testing.T) {
	m := notarylog.NewMatcher(rules.All)
	for msg, want := range map[string]string{
		"The binary is not signed.":                                                                "macho-unsigned",
		"The executable does not have the hardened runtime enabled.":                               "hardened-runtime-missing",
		"The binary uses an SDK older than the 10.9 SDK.":                                          "sdk-older-than-10.9",
		"The executable requests the com.apple.security.get-task-allow entitlement.":               "get-task-allow",
		"Package Foo Bar 2.pkg has no signed executables or bundles. No tickets can be generated.": "pkg-no-code",
		"  The binary is not signed  ":                                                             "macho-unsigned",
	} {
		got := m.Match(msg)
		if len(got) == 0 || !strings.Contains(names(got), want) {
			t.Errorf("%q: rules %q, want %s among them", msg, names(got), want)
		}
	}
	if got := m.Match("The binary is signed."); len(got) != 0 {
		t.Errorf("a different message matched %s", names(got))
	}
}

// TestExplain checks the verdicts and the distribution-package pair.
func TestExplain(t *testing.T) {
	m := notarylog.NewMatcher(rules.All)
	v, _ := notarylog.Explain(load(t, "made-up-rejected-7000.json"), m)
	if v.Outcome != "rejected" || v.Catalogue != "team-not-configured" {
		t.Errorf("7000: %+v", v)
	}
	v, _ = notarylog.Explain(load(t, "made-up-accepted.json"), m)
	if v.Outcome != "accepted" || v.Catalogue != "" {
		t.Errorf("accepted: %+v", v)
	}
	v, issues := notarylog.Explain(load(t, "made-up-distribution-unpack.json"), m)
	if v.Outcome != "invalid" || len(issues) != 2 {
		t.Fatalf("distribution: %+v, %d issues", v, len(issues))
	}
	for _, e := range issues {
		if len(e.Rules) == 0 || e.Note == "" || !strings.Contains(e.Note, "pkg-not-extractable") {
			t.Errorf("%q: rules %q, note %q", e.Message, names(e.Rules), e.Note)
		}
	}
	if first := issues[1].Rules[0].Name; first != "pkg-not-extractable" {
		t.Errorf("could not be extracted: first rule %s, want pkg-not-extractable", first)
	}
	_, issues = notarylog.Explain(load(t, "made-up-invalid.json"), m)
	last := issues[len(issues)-1]
	if len(last.Rules) != 0 {
		t.Errorf("unknown message matched %s", names(last.Rules))
	}
	if got := names(issues[0].Rules); got != "macho-unsigned" {
		t.Errorf("code path: rules %s, want macho-unsigned alone", got)
	}
}

// TestRealLogs explains the notary logs developers published (sources in
// testdata/notary-logs/SOURCES.md): each parses, has the outcome its status
// says, and every issue's message is one a rule documents.
func TestRealLogs(t *testing.T) {
	m := notarylog.NewMatcher(rules.All)
	files, err := filepath.Glob("../testdata/notary-logs/real-*.json")
	if err != nil || len(files) < 8 {
		t.Fatalf("%d real logs (%v)", len(files), err)
	}
	for _, p := range files {
		name := filepath.Base(p)
		l := load(t, name)
		v, issues := notarylog.Explain(l, m)
		want := map[string]string{"Accepted": "accepted", "Invalid": "invalid", "Rejected": "rejected"}[l.Status]
		if v.Outcome != want {
			t.Errorf("%s: status %s, outcome %s", name, l.Status, v.Outcome)
		}
		for _, e := range issues {
			if len(e.Rules) == 0 {
				t.Errorf("%s: unknown message %q", name, e.Message)
			}
		}
	}
}

// TestEveryNotaryMessage explains a made-up log listing every rule's notary
// message once: each must find its rule, and every documented notary
// message must be in the log (regenerate it when a rule adds one).
func TestEveryNotaryMessage(t *testing.T) {
	m := notarylog.NewMatcher(rules.All)
	_, issues := notarylog.Explain(load(t, "made-up-invalid-every-message.json"), m)
	inLog := map[string]bool{}
	for _, e := range issues {
		inLog[strings.ReplaceAll(e.Message, "Installer.pkg", "X.pkg")] = true
		if len(e.Rules) == 0 {
			t.Errorf("no rule for %q", e.Message)
		}
	}
	for _, r := range rules.All {
		if msg := r.Doc.NotaryMessage; msg != "" && !inLog[msg] {
			t.Errorf("%s's notary message %q is not in the log", r.Name, msg)
			continue
		}
		if r.Doc.NotaryMessage == "" {
			continue
		}
		found := false
		for _, e := range issues {
			if strings.ReplaceAll(e.Message, "Installer.pkg", "X.pkg") == r.Doc.NotaryMessage {
				for _, got := range m.Match(e.Message) {
					found = found || got == r
				}
			}
		}
		if !found {
			t.Errorf("%s is not among the rules matched for its own notary message", r.Name)
		}
	}
}
