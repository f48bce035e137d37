package rules_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/rules"
)

// TestRealPackage runs every rule over a real Developer ID Installer
// package (a LaunchAgent plist and a postinstall script, never notarized)
// and its tampered copies. The intact one may only be told that it holds
// no code and carries no ticket; each tampered copy must fail exactly the
// signature it breaks.
func TestRealPackage(t *testing.T) {
	for _, tc := range []struct {
		variant string
		want    []string // rule names with error findings, sorted
	}{
		{"", []string{"pkg-no-code"}},
		{".bad-rsa", []string{"pkg-no-code", "pkg-signature-invalid"}},
		{".bad-cms", []string{"pkg-no-code", "pkg-no-timestamp", "pkg-signature-invalid"}},
		{".bad-both", []string{"pkg-no-code", "pkg-no-timestamp", "pkg-signature-invalid"}},
	} {
		t.Run("nudge"+tc.variant, func(t *testing.T) {
			rep, errs := analyzer.Run(analyzer.Config{Rules: rules.All}, []string{"../testdata/real-pkg/nudge-launchagent-1.0.1" + tc.variant + ".pkg"})
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			seen := map[string]bool{}
			var infos []string
			for _, f := range rep.Findings {
				switch f.Severity {
				case analyzer.Error, analyzer.Warning:
					seen[f.RuleName] = true
				default:
					infos = append(infos, f.RuleName)
				}
			}
			var got []string
			for name := range seen {
				got = append(got, name)
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("error and warning rules %v, want %v", got, tc.want)
			}
			if strings.Join(infos, ",") != "ticket-not-stapled" {
				t.Errorf("infos %v, want ticket-not-stapled", infos)
			}
		})
	}
}
