package config_test

import (
	"testing"

	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/rules"
)

// FuzzParse parses arbitrary bytes as a configuration and as a baseline:
// never a panic, and every error is an *Error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(config.Template))
	f.Add([]byte("rules:\n  disable: [legacy-slices]\n  severity: {NL1001: warning}\nignore:\n  - rule: NL2001\n    path: \"a/**/b*\"\n    reason: r\n    expires: 2027-01-01\nlimits:\n  max-decompressed: 8GiB\n"))
	f.Add([]byte("ignore: [{rule: x, reason: [1, 2]}]\n&a [*a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := config.Parse("f.yaml", b, rules.Lookup, names())
		if err != nil {
			if _, ok := err.(*config.Error); !ok {
				t.Fatalf("error %T %v is not a *config.Error", err, err)
			}
		}
	})
}
