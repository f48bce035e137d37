package cli

import (
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// flagPattern finds long flags in a command line or script.
var flagPattern = regexp.MustCompile(`(?:^|[\s("'])(--[a-z][a-z0-9-]*)`)

// checkFlagsExist fails the test for each flag of text that `notarylint
// check` does not accept.
func checkFlagsExist(t *testing.T, where, text string) int {
	t.Helper()
	check := newCheck(io.Discard, io.Discard)
	n := 0
	for _, m := range flagPattern.FindAllStringSubmatch(text, -1) {
		name := strings.TrimPrefix(m[1], "--")
		if check.Flags().Lookup(name) == nil {
			t.Errorf("%s: notarylint check has no flag --%s", where, name)
		}
		n++
	}
	return n
}

// TestActionArguments: the GitHub Action runs `notarylint check` with flags
// the CLI accepts, uploads SARIF under if: always() and fails only after.
func TestActionArguments(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Using string
			Steps []struct {
				Name string
				Uses string
				If   string
				Run  string
			}
		}
	}
	if err := yaml.Unmarshal(b, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("runs.using %q", action.Runs.Using)
	}
	checked, upload, gate := -1, -1, -1
	for i, s := range action.Runs.Steps {
		switch {
		case strings.Contains(s.Run, "notarylint\" \"${args[@]}\""):
			checked = i
			if n := checkFlagsExist(t, "action.yml step "+s.Name, s.Run); n < 5 {
				t.Errorf("found only %d flags in the check step", n)
			}
			if !strings.Contains(s.Run, "--fail-on none") || !strings.Contains(s.Run, "sarif=") {
				t.Error("the check step must run --fail-on none with SARIF output")
			}
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			upload = i
			if !strings.Contains(s.If, "always()") {
				t.Errorf("the upload step runs if %q, want always()", s.If)
			}
		case strings.Contains(s.Run, "FAIL_ON"):
			gate = i
		}
	}
	if !(checked >= 0 && checked < upload && upload < gate) {
		t.Errorf("steps: check %d, upload %d, fail %d: want them in that order", checked, upload, gate)
	}
}

// TestPreCommitHooks: each hook's entry is `notarylint <subcommand>` with
// flags the CLI accepts.
func TestPreCommitHooks(t *testing.T) {
	b, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID    string
		Entry string
		Args  []string
	}
	if err := yaml.Unmarshal(b, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) == 0 {
		t.Fatal("no hooks")
	}
	for _, h := range hooks {
		words := strings.Fields(h.Entry)
		if len(words) < 2 || words[0] != "notarylint" || words[1] != "check" {
			t.Errorf("hook %s: entry %q does not run notarylint check", h.ID, h.Entry)
		}
		checkFlagsExist(t, "hook "+h.ID, h.Entry+" "+strings.Join(h.Args, " "))
	}
}
