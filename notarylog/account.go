package notarylog

import "strings"

// accountOutcomes are notarytool's account- and service-side errors
// (catalogue section I): printed by the tool, not found in any artifact.
var accountOutcomes = []struct {
	contains []string // all of them, case-insensitive
	verdict  Verdict
}{
	{[]string{"403", "invalid or inaccessible developer team id"}, Verdict{Outcome: "rejected", Catalogue: "invalid-team-id",
		Explanation: "The Apple ID is not a member of the team given with --team-id, the ID is wrong, or the service failed for a moment.",
		Next:        "Check --team-id against the signing certificate's team (the OU of its subject, or `notarylint inspect`), and the Apple ID's membership; retry once."}},
	{[]string{"required_agreements"}, Verdict{Outcome: "rejected", Catalogue: "agreements-missing",
		Explanation: "The team's Account Holder has not accepted the latest program agreements, so the service refuses uploads.",
		Next:        "The Account Holder signs in to the developer account and accepts the pending agreements."}},
	{[]string{"401", "invalid credentials"}, Verdict{Outcome: "rejected", Catalogue: "bad-credentials",
		Explanation: "The Apple ID and app-specific password (or the API key and issuer) were refused.",
		Next:        "Create a new app-specific password at appleid.apple.com, or check the API key, key ID and issuer (an individual key takes no issuer)."}},
	{[]string{"not yet configured for notarization"}, Verdict{Outcome: "rejected", Catalogue: "team-not-configured",
		Explanation: "Apple has not enabled notarization for this team (new or changed team).",
		Next:        "Nothing in the artifact can fix it. Contact Developer Programs Support, or wait: new teams are often enabled within a day."}},
}

// ExplainText explains a notarytool error text that is not about the
// artifact (bad credentials, wrong team, missing agreements), or returns
// false.
func ExplainText(text string) (Verdict, bool) {
	t := strings.ToLower(text)
	for _, o := range accountOutcomes {
		all := true
		for _, c := range o.contains {
			all = all && strings.Contains(t, c)
		}
		if all {
			return o.verdict, true
		}
	}
	return Verdict{}, false
}
