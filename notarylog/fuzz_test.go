package notarylog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/notarylog"
	"github.com/notarylint/notarylint/rules"
)

// FuzzParse parses and explains arbitrary input as a notary log.
func FuzzParse(f *testing.F) {
	logs, _ := filepath.Glob("../testdata/notary-logs/*.json")
	for _, p := range logs {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	m := notarylog.NewMatcher(rules.All)
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := notarylog.Parse(b); err == nil {
			notarylog.Explain(l, m)
		}
	})
}
