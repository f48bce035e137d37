package rules_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/internal/testutil"
	"github.com/notarylint/notarylint/rules"
)

func TestValidate(t *testing.T) {
	if err := analyzer.Validate(rules.All); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(rules.All); i++ {
		if rules.All[i-1].ID >= rules.All[i].ID {
			t.Errorf("rules.All not in ID order at %s, %s", rules.All[i-1].ID, rules.All[i].ID)
		}
	}
}

func TestValidateCatchesBadRules(t *testing.T) {
	good := *rules.MachOUnsigned
	cases := map[string]func(r *analyzer.Rule){
		"bad id":           func(r *analyzer.Rule) { r.ID = "X1" },
		"bad name":         func(r *analyzer.Rule) { r.Name = "Bad Name" },
		"no check":         func(r *analyzer.Rule) { r.Check = nil },
		"no kinds":         func(r *analyzer.Rule) { r.Kinds = nil },
		"no fix":           func(r *analyzer.Rule) { r.Doc.Fix = "" },
		"title period":     func(r *analyzer.Rule) { r.Doc.Title = "ends with a period." },
		"inferred error":   func(r *analyzer.Rule) { r.Doc.Inferred = true },
		"notary not known": func(r *analyzer.Rule) { r.Doc.NotaryMessage = "something else" },
	}
	for name, mutate := range cases {
		r := good
		mutate(&r)
		if err := analyzer.Validate([]*analyzer.Rule{&r}); err == nil {
			t.Errorf("%s: Validate accepted it", name)
		}
	}
	dup := good
	if err := analyzer.Validate([]*analyzer.Rule{&good, &dup}); err == nil {
		t.Error("duplicate IDs accepted")
	}
}

// TestCatalogue keeps rules.Catalogue in step with the registry: every
// implemented catalogue id is a registered rule name and vice versa, and
// every other id says why it is not implemented.
func TestCatalogue(t *testing.T) {
	registered := map[string]bool{}
	for _, r := range rules.All {
		registered[r.Name] = true
	}
	for id, why := range rules.Catalogue {
		switch {
		case why == "" && !registered[id]:
			t.Errorf("catalogue id %s is marked implemented but no rule has that name", id)
		case why != "" && registered[id]:
			t.Errorf("catalogue id %s is registered but listed as not implemented: %s", id, why)
		}
	}
	for name := range registered {
		_, cat := rules.Catalogue[name]
		_, own := rules.Own[name]
		if cat == own {
			t.Errorf("rule %s must be either a catalogue id or listed in rules.Own, not both or neither", name)
		}
	}
}

// TestCatalogueMatchesShared compares rules.Catalogue with the shared
// catalogue document when it is present beside the repository.
func TestCatalogueMatchesShared(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "..", "shared", "rules-catalogue.md"))
	if err != nil {
		t.Skip("shared/rules-catalogue.md not beside the repository")
	}
	ids := regexp.MustCompile("(?m)^\\| `([a-z0-9.-]+)`").FindAllStringSubmatch(string(b), -1)
	var missing []string
	seen := map[string]bool{}
	for _, m := range ids {
		seen[m[1]] = true
		if _, ok := rules.Catalogue[m[1]]; !ok {
			missing = append(missing, m[1])
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("catalogue ids missing from rules.Catalogue: %v", missing)
	}
	for id := range rules.Catalogue {
		if !seen[id] {
			t.Errorf("rules.Catalogue has %s, which the shared catalogue does not", id)
		}
	}
}

func TestLookup(t *testing.T) {
	for _, r := range rules.All {
		if rules.Lookup(r.ID) != r || rules.Lookup(r.Name) != r {
			t.Errorf("Lookup(%s / %s) failed", r.ID, r.Name)
		}
	}
	if rules.Lookup("nl1001") != rules.SDKOlderThan109 {
		t.Error("Lookup is not case-insensitive")
	}
	if rules.Lookup("no-such-rule") != nil {
		t.Error("Lookup of an unknown rule returned a rule")
	}
}
